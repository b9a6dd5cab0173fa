//! Generate a synthetic Pushshift-style Reddit comment dump for benchmarks.
//!
//! Lines carry the ~40 metadata fields real Pushshift comments have, so bytes
//! per comment (~1.3 KB) and text share (~18%) are realistic; bodies follow a
//! skewed length mix (median ~100 chars, mean ~240). Threads interleave, as in
//! the monthly dumps (sorted by time, not by thread). Deterministic per seed.
//!
//! `cargo run --release --example gen_dump -- BYTES OUT [SEED]`
//! prints `comments=N text_bytes=T bytes=B` on stderr.

#![recursion_limit = "512"]

use std::io::{BufWriter, Write};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545F4914F6CDD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const WORDS: &[&str] = &[
    "the",
    "a",
    "to",
    "and",
    "of",
    "I",
    "you",
    "it",
    "is",
    "that",
    "in",
    "this",
    "for",
    "not",
    "be",
    "on",
    "have",
    "with",
    "are",
    "just",
    "but",
    "they",
    "was",
    "like",
    "so",
    "people",
    "what",
    "if",
    "would",
    "think",
    "can",
    "do",
    "no",
    "all",
    "he",
    "about",
    "more",
    "one",
    "my",
    "get",
    "or",
    "your",
    "there",
    "we",
    "at",
    "don't",
    "really",
    "it's",
    "their",
    "how",
    "good",
    "because",
    "some",
    "time",
    "only",
    "why",
    "even",
    "when",
    "actually",
    "then",
    "make",
    "much",
    "thing",
    "right",
    "know",
    "never",
    "game",
    "work",
    "money",
    "wrong",
    "agree",
    "source",
    "idiot",
    "lol",
    "literally",
    "government",
    "team",
    "season",
    "phone",
    "school",
    "car",
    "price",
    "better",
    "worse",
    "problem",
    "point",
];

fn body(r: &mut Rng) -> String {
    let target = match r.below(100) {
        0..=49 => 20 + r.below(80),
        50..=84 => 100 + r.below(300),
        _ => 400 + r.below(800),
    } as usize;
    let mut s = String::with_capacity(target + 12);
    while s.len() < target {
        if !s.is_empty() {
            s.push(if r.below(12) == 0 { '\n' } else { ' ' });
        }
        s.push_str(WORDS[r.below(WORDS.len() as u64) as usize]);
        if r.below(9) == 0 {
            s.push(['.', ',', '?', '!'][r.below(4) as usize]);
        }
    }
    s
}

fn b36(mut n: u64) -> String {
    let digits = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(digits[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: gen_dump BYTES OUT [SEED]");
        std::process::exit(2);
    }
    let target: u64 = args[1].parse::<f64>().expect("BYTES") as u64;
    let seed: u64 = args.get(3).map(|s| s.parse().unwrap()).unwrap_or(20261122);
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(&args[2]).expect("OUT"));
    let mut r = Rng(seed | 1);
    let active = 2000u64;
    let mut threads: Vec<(u64, Vec<u64>)> =
        (0..active).map(|t| (t + 1_000_000, Vec::new())).collect();
    let (mut bytes, mut comments, mut text_bytes) = (0u64, 0u64, 0u64);
    let mut next_id = 50_000_000u64;
    let mut next_thread = 1_000_000 + active;
    let mut t0 = 1_577_836_800u64;
    while bytes < target {
        let slot = r.below(active) as usize;
        if threads[slot].1.len() > 20 && r.below(40) == 0 {
            threads[slot] = (next_thread, Vec::new());
            next_thread += 1;
        }
        let (tid, ref mut ids) = threads[slot];
        let parent = if ids.is_empty() || r.below(10) < 3 {
            format!("t3_{}", b36(tid))
        } else {
            format!("t1_{}", b36(ids[r.below(ids.len() as u64) as usize]))
        };
        let id = next_id;
        next_id += 1 + r.below(3);
        ids.push(id);
        let text = body(&mut r);
        text_bytes += text.len() as u64;
        comments += 1;
        t0 += r.below(3);
        let user = format!("user_{}", r.below(200_000));
        let line = serde_json::json!({
            "all_awardings": [], "archived": false, "associated_award": null, "author": user,
            "author_created_utc": 1400000000 + r.below(100_000_000), "author_flair_background_color": null,
            "author_flair_css_class": null, "author_flair_richtext": [], "author_flair_template_id": null,
            "author_flair_text": null, "author_flair_text_color": null, "author_flair_type": "text",
            "author_fullname": format!("t2_{}", b36(r.below(1 << 40))), "author_patreon_flair": false,
            "author_premium": false, "awarders": [], "body": text, "can_gild": true, "can_mod_post": false,
            "collapsed": false, "collapsed_because_crowd_control": null, "collapsed_reason": null,
            "controversiality": 0, "created_utc": t0, "distinguished": null, "edited": false, "gilded": 0,
            "gildings": {}, "id": b36(id), "is_submitter": r.below(10) == 0, "link_id": format!("t3_{}", b36(tid)),
            "locked": false, "no_follow": true, "parent_id": parent,
            "permalink": format!("/r/AskReddit/comments/{}/_/{}/", b36(tid), b36(id)),
            "retrieved_on": t0 + 3600, "score": r.below(50) as i64 - 5, "send_replies": true, "stickied": false,
            "subreddit": "AskReddit", "subreddit_id": "t5_2qh1i", "subreddit_name_prefixed": "r/AskReddit",
            "subreddit_type": "public", "top_awarded_type": null, "total_awards_received": 0, "treatment_tags": []
        });
        let s = line.to_string();
        bytes += s.len() as u64 + 1;
        out.write_all(s.as_bytes()).unwrap();
        out.write_all(b"\n").unwrap();
    }
    out.flush().unwrap();
    eprintln!("comments={comments} text_bytes={text_bytes} bytes={bytes}");
}
