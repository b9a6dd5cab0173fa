//! The HTML report: one self-contained file (inline CSS, inline SVG charts
//! and a few lines of inline script; a content security policy that allows
//! no network). It opens on what a moderator acts on: a summary in words,
//! then the moderation queue with filters and search, the threads, their
//! reply trees (collapsed, opened along the paths to the flagged comments),
//! then charts and the corpus statistics with their intervals. Every queue
//! row links to its comment in its tree and back; the words that drove a
//! score are marked in the text. Comment text is escaped and isolated by
//! [`render::html_escape`](super::render::html_escape).

use std::collections::HashMap;
use std::fmt::Write as _;

use super::dynamics::ThreadStats;
use super::render::{
    corpus_rows, html_escape, opt, thread_cells, thread_headers, user, THREAD_NOTE,
};
use super::report::{QueueItem, Report, TreeNode, BINS};
use super::summary::{highlights, readable_reasons, summary};

/// Table rows laid out at first (and per "show more"); the others wait
/// hidden, so a filter lays out a page of rows, not hundreds.
const PAGE: usize = 50;

/// `shown of total` for the filter bar's counts.
fn shown_of(total: usize) -> String {
    format!("{} of {total}", total.min(PAGE))
}

/// The end of a paged table and its "show more" button.
fn more_button(table: &str, rows: usize) -> String {
    format!(
        "</tbody></table></div><p><button type=\"button\" class=\"more-rows\" data-t=\"{table}\"{}>show {PAGE} more</button><noscript><style>tr[hidden]{{display:table-row}}</style></noscript></p>",
        if rows > PAGE { "" } else { " hidden" }
    )
}

/// Characters of a comment shown before "full text".
const SHORT: usize = 300;
/// Reasons shown per queue row.
const REASONS: usize = 5;

/// User text with the character ranges `marks` in `<mark>`.
fn marked(s: &str, marks: &[(usize, usize)]) -> String {
    if marks.is_empty() {
        return user(s);
    }
    let chars: Vec<char> = s.chars().collect();
    let seg = |a: usize, b: usize| html_escape(&chars[a..b].iter().collect::<String>());
    let mut o = String::from("<bdi>");
    let mut at = 0;
    for &(a, b) in marks {
        let (a, b) = (a.min(chars.len()), b.min(chars.len()));
        o.push_str(&seg(at, a));
        let _ = write!(o, "<mark>{}</mark>", seg(a, b));
        at = b;
    }
    o.push_str(&seg(at, chars.len()));
    o.push_str("</bdi>");
    o
}

/// A comment's text block: marked where its reasons point, clamped to a
/// few lines with a "full text" button when long.
fn text_block(text: &str, reasons: &[crate::classify::Contribution]) -> String {
    let features = reasons
        .iter()
        .filter(|c| c.weight > 0.0)
        .take(REASONS)
        .map(|c| c.feature.as_str());
    let body = marked(text, &highlights(text, features));
    if text.chars().nth(SHORT).is_some() {
        format!("<div class=\"t clamp\">{body}</div><button type=\"button\" class=\"more\">full text</button>")
    } else {
        format!("<div class=\"t\">{body}</div>")
    }
}

/// A record's source without its folders (`replies/1.json:1`); the
/// whole of it is the element's title.
fn short_source(s: &str) -> &str {
    let mut parts = s.rsplitn(3, '/');
    let last = parts.next().unwrap_or(s);
    match parts.next() {
        Some(dir) => &s[s.len() - last.len() - dir.len() - 1..],
        None => last,
    }
}

/// Readable reasons of a queue item, strongest first.
fn reason_list(q: &QueueItem) -> String {
    let items: Vec<String> = readable_reasons(&q.reasons, REASONS)
        .iter()
        .map(|r| {
            format!(
                "<li title=\"{}\">{} <span class=\"meta\">+{:.2}</span></li>",
                html_escape(&r.features.join(", ")),
                html_escape(&r.label),
                r.weight
            )
        })
        .collect();
    if items.is_empty() {
        "–".into()
    } else {
        format!("<ul class=\"reasons\">{}</ul>", items.concat())
    }
}

/// The name of a thread: its title and id, or its id.
fn thread_name(t: Option<&ThreadStats>, id: &str) -> String {
    match t {
        Some(t) if !t.title.is_empty() => {
            format!(
                "{} <span class=\"meta\">{}</span>",
                user(&t.title),
                user(id)
            )
        }
        _ => user(id),
    }
}

/// A vertical-bar chart with axes, tick labels, axis titles and an optional
/// threshold line (`vline`: at a fraction of the x range; `hline`: at a y
/// value).
struct Chart<'a> {
    title: &'a str,
    values: &'a [f64],
    labels: &'a [String],
    x_title: &'a str,
    y_title: &'a str,
    y_digits: usize,
    vline: Option<(f64, String)>,
    hline: Option<(f64, String)>,
}

impl Chart<'_> {
    fn svg(&self) -> String {
        let (w, h, left, bottom, top) = (640.0, 170.0, 56.0, 40.0, 16.0);
        let pw = w - left - 12.0;
        let ph = h - bottom - top;
        let mut max = self.values.iter().copied().fold(0.0f64, f64::max);
        if let Some((y, _)) = &self.hline {
            max = max.max(*y);
        }
        let max = if max > 0.0 { max * 1.05 } else { 1.0 };
        let n = self.values.len().max(1) as f64;
        let bw = pw / n;
        let y_of = |v: f64| top + ph - v / max * ph;
        let mut s = format!(
            "<svg class=\"chart\" role=\"img\" aria-label=\"{}\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\">",
            html_escape(self.title)
        );
        // Y axis: gridlines and labels at 0, ½ and the top.
        for k in 0..=2 {
            let v = max / 1.05 * k as f64 / 2.0;
            let y = y_of(v);
            let _ = write!(
                s,
                "<line x1=\"{left}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" class=\"grid\"/><text x=\"{:.1}\" y=\"{:.1}\" class=\"ax\" text-anchor=\"end\">{v:.prec$}</text>",
                left + pw,
                left - 4.0,
                y + 3.0,
                prec = self.y_digits
            );
        }
        for (i, (&v, l)) in self.values.iter().zip(self.labels).enumerate() {
            let x = left + i as f64 * bw;
            let _ = write!(
                s,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" class=\"bar\"><title>{}: {}</title></rect>",
                x + 1.0,
                y_of(v),
                (bw - 2.0).max(1.0),
                v / max * ph,
                html_escape(l),
                v
            );
            let every = (self.values.len() / 10).max(1);
            if i % every == 0 {
                let _ = write!(
                    s,
                    "<text x=\"{:.1}\" y=\"{:.1}\" class=\"ax\">{}</text>",
                    x + 1.0,
                    top + ph + 13.0,
                    html_escape(l)
                );
            }
        }
        let _ = write!(
            s,
            "<line x1=\"{left}\" x2=\"{left}\" y1=\"{top}\" y2=\"{:.1}\" class=\"axis\"/><line x1=\"{left}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" class=\"axis\"/>",
            top + ph,
            left + pw,
            top + ph,
            top + ph
        );
        if let Some((f, label)) = &self.vline {
            let x = left + f.clamp(0.0, 1.0) * pw;
            let _ = write!(
                s,
                "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{top}\" y2=\"{:.1}\" class=\"thr\"/><text x=\"{:.1}\" y=\"{:.1}\" class=\"thrl\">{}</text>",
                top + ph,
                x + 3.0,
                top + 9.0,
                html_escape(label)
            );
        }
        if let Some((v, label)) = &self.hline {
            let y = y_of(*v);
            let _ = write!(
                s,
                "<line x1=\"{left}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" class=\"thr\"/><text x=\"{:.1}\" y=\"{:.1}\" class=\"thrl\" text-anchor=\"end\">{}</text>",
                left + pw,
                left + pw - 2.0,
                y - 3.0,
                html_escape(label)
            );
        }
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" class=\"axt\" text-anchor=\"middle\">{}</text><text x=\"12\" y=\"{:.1}\" class=\"axt\" text-anchor=\"middle\" transform=\"rotate(-90 12 {:.1})\">{}</text></svg>",
            left + pw / 2.0,
            h - 6.0,
            html_escape(self.x_title),
            top + ph / 2.0,
            top + ph / 2.0,
            html_escape(self.y_title)
        );
        s
    }
}

/// Where each queue item's comment is drawn: `(thread, id)` → anchor.
type Anchors<'a> = HashMap<(&'a str, &'a str), String>;

/// One thread's tree: nested lists in reading order; a node with replies
/// has them in a `<details>`, open when a flagged comment is below it.
fn tree_html(
    o: &mut String,
    j: usize,
    thread: &str,
    nodes: &[TreeNode],
    queue: &HashMap<(&str, &str), &QueueItem>,
) {
    let n = nodes.len();
    let mut children = vec![0usize; n];
    let mut hot = vec![false; n];
    for (i, node) in nodes.iter().enumerate().rev() {
        hot[i] |= node.flagged;
        if let Some(p) = node.parent.filter(|&p| p < i) {
            children[p] += 1;
            if hot[i] {
                hot[p] = true;
            }
        }
    }
    let close = |o: &mut String, k: usize| {
        o.push_str(if children[k] > 0 {
            "</ul></details></li>"
        } else {
            "</li>"
        })
    };
    let mut stack: Vec<usize> = Vec::new();
    o.push_str("<ul class=\"tree\">");
    for (i, node) in nodes.iter().enumerate() {
        while let Some(&top) = stack.last() {
            if Some(top) == node.parent {
                break;
            }
            stack.pop();
            close(o, top);
        }
        let q = queue.get(&(thread, node.id.as_str())).copied();
        let stance = node.stance.unwrap_or("");
        let _ = write!(
            o,
            "<li><div class=\"node {}{}\" id=\"c{j}-{i}\">{}<span class=\"meta\">{}{}{}</span>{}</div>",
            band(node.incivility),
            if node.flagged { " flag" } else { "" },
            if stance.is_empty() {
                String::new()
            } else {
                format!("<span class=\"edge s-{stance}\">{stance}</span> ")
            },
            node.author
                .as_deref()
                .map_or(String::new(), |a| format!("{} · ", user(a))),
            node.incivility.map_or("root".into(), |p| match &node.domain {
                Some(d) => {
                    let d = html_escape(d);
                    format!("P(uncivil) {p:.2} <span title=\"P(uncivil) from the {d} model: this comment reads like a {d} comment\">({d} model)</span>")
                }
                None => format!("P(uncivil) {p:.2}"),
            }),
            q.map_or(String::new(), |q| format!(
                " · <a href=\"#q{r}\">queue #{r}</a>",
                r = q.rank
            )),
            text_block(&node.text, q.map_or(&[][..], |q| &q.reasons))
        );
        if children[i] > 0 {
            let _ = write!(
                o,
                "<details{}><summary>{} {}</summary><ul>",
                if hot[i] { " open" } else { "" },
                children[i],
                if children[i] == 1 { "reply" } else { "replies" }
            );
            stack.push(i);
        } else {
            o.push_str("</li>");
        }
    }
    while let Some(top) = stack.pop() {
        close(o, top);
    }
    o.push_str("</ul>");
}

/// Colour class of a score: 10 steps.
fn band(p: Option<f64>) -> String {
    match p {
        None => "nx".into(),
        Some(p) => format!("b{}", ((p * 10.0) as usize).min(9)),
    }
}

const CSS: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:0 1em 4em;color:#222}
h1{font-size:1.4em;margin:.6em 0 .2em}h2{font-size:1.2em;margin-top:1.4em;border-bottom:1px solid #ddd}
nav.toc{font-size:13px;margin:.2em 0 .6em}nav.toc a{margin-right:1em}
.lead{font-size:1.15em}.summary{background:#f7f9fc;border:1px solid #dde3ea;padding:.4em 1em;border-radius:6px}.summary ol{margin:.3em 0}
table{border-collapse:collapse;margin:.5em 0;font-size:13px}td,th{border:1px solid #ddd;padding:3px 6px;vertical-align:top;text-align:left}
th{background:#f4f4f4;cursor:pointer;user-select:none}th.sorted-asc::after{content:' ▲'}th.sorted-desc::after{content:' ▼'}
td.num{text-align:right;font-variant-numeric:tabular-nums}.txt{max-width:520px;overflow-wrap:anywhere}
#queue-table{table-layout:fixed;width:100%}#queue-table th:nth-child(1){width:2.5em}#queue-table th.p{width:5.5em;overflow-wrap:anywhere}#queue-table th.why{width:14em}#queue-table th.th{width:13em}
details.thread{content-visibility:auto;contain-intrinsic-size:auto 2.2em}
#queue-table tbody tr[data-go]{cursor:pointer}#queue-table tbody tr:hover{background:#f6f8ff}
ul.reasons{margin:0;padding-left:1.1em}mark{background:#ffe066;padding:0 1px}
.t{white-space:pre-wrap;overflow-wrap:anywhere}.clamp{max-height:5.8em;overflow:hidden}
button.more{font-size:11px;border:1px solid #bbb;background:#fff;border-radius:3px;cursor:pointer;margin-top:2px}
.parent{color:#555;font-size:12px;border-left:3px solid #ddd;padding-left:6px;margin-top:3px}
.filters{position:sticky;top:0;z-index:2;background:#fff;border-bottom:1px solid #ddd;padding:6px 0;display:flex;flex-wrap:wrap;gap:.4em 1em;align-items:center;font-size:13px}
.filters input{width:9em}.filters input[type=number]{width:4.5em}
svg.chart{display:block;margin:.4em 0}.bar{fill:#c0504d}.ax{font-size:10px;fill:#555}.axt{font-size:11px;fill:#333}
.axis{stroke:#555}.grid{stroke:#eee}.thr{stroke:#1565c0;stroke-dasharray:4 3;stroke-width:1.5}.thrl{font-size:10px;fill:#1565c0}
ul.tree,ul.tree ul{list-style:none;margin:0;padding-left:1.2em;border-left:1px dotted #bbb}
.node{margin:3px 0;padding:3px 6px;border-left:6px solid #ccc;background:#fafafa;overflow-wrap:anywhere}
.node.flag{box-shadow:inset 0 0 0 1px #e57373}.hit{outline:3px solid #1565c0;background:#e3f2fd!important}
.meta{color:#666;font-size:12px}.edge{font-size:11px;padding:0 4px;border-radius:3px;color:#fff;background:#888}
.s-agree{background:#2e7d32}.s-disagree{background:#c62828}.s-query{background:#1565c0}.s-comment{background:#757575}
.nx{border-left-color:#ccc}.b0{border-left-color:#e8f5e9}.b1{border-left-color:#c8e6c9}.b2{border-left-color:#dcedc8}.b3{border-left-color:#fff9c4}
.b4{border-left-color:#ffe082}.b5{border-left-color:#ffb74d}.b6{border-left-color:#ff8a65}.b7{border-left-color:#f4511e}.b8{border-left-color:#d32f2f}.b9{border-left-color:#8e0000}
.b5,.b6,.b7,.b8,.b9{background:#fff3f0}details{margin:.2em 0}summary{cursor:pointer}details.thread>summary{font-weight:600}
.note{color:#555}.scroll{overflow-x:auto;max-width:100%}dl.more{display:grid;grid-template-columns:max-content auto;gap:0 .8em;margin:.3em 0}dl.more dt{color:#555}dl.more dd{margin:0}";

/// Sorting, links that open the tree at their target, full text on
/// demand, and the filters. Runs once at load; no network.
const JS: &str = r##"(function(){
var $=function(s){return document.querySelectorAll(s)};
$('table.sortable').forEach(function(t){var hs=t.tHead.rows[0].cells;for(let i=0;i<hs.length;i++){hs[i].addEventListener('click',function(){var b=t.tBodies[0];var rows=Array.prototype.slice.call(b.rows);var asc=!hs[i].classList.contains('sorted-asc');for(var h of hs){h.classList.remove('sorted-asc','sorted-desc');}hs[i].classList.add(asc?'sorted-asc':'sorted-desc');rows.sort(function(x,y){var a=x.cells[i].getAttribute('data-v')||x.cells[i].textContent,c=y.cells[i].getAttribute('data-v')||y.cells[i].textContent;var na=parseFloat(a),nc=parseFloat(c);var r=(!isNaN(na)&&!isNaN(nc))?na-nc:a.localeCompare(c);return asc?r:-r;});rows.forEach(function(r){b.appendChild(r);});if(window.tlApply)window.tlApply();});}});
var hit=null;
function go(id){var el=document.getElementById(id);if(!el)return false;if(el.hidden)el.hidden=false;for(var d=el.parentElement;d;d=d.parentElement){if(d.tagName==='DETAILS')d.open=true;}el.scrollIntoView({block:'center'});if(hit)hit.classList.remove('hit');hit=el;el.classList.add('hit');history.replaceState(null,'','#'+id);return true;}
document.addEventListener('click',function(e){
var mr=e.target.closest('button.more-rows');if(mr){lim[mr.dataset.t]+=PAGE;apply();return;}
var b=e.target.closest('button.more');if(b){var t=b.previousElementSibling;t.classList.toggle('clamp');b.textContent=t.classList.contains('clamp')?'full text':'less';return;}
var a=e.target.closest('a[href^="#"]');if(a){if(go(a.getAttribute('href').slice(1)))e.preventDefault();return;}
var r=e.target.closest('tr[data-go]');if(r&&!String(window.getSelection())){go(r.dataset.go);}
});
if(location.hash)go(decodeURIComponent(location.hash.slice(1)));
var PAGE=%PAGE%,lim={'queue-table':PAGE,'threads-table':PAGE};
var F=document.getElementById('filters');
var v=function(n){return F?F.elements[n].value.trim().toLowerCase():''};
function show(id,test){var n=0,k=0;$('#'+id+' tbody tr').forEach(function(r){var ok=test(r,r.dataset);n+=ok;var vis=ok&&k<lim[id];k+=vis;if(r.hidden===vis)r.hidden=!vis;});var c=document.getElementById(id+'-n');if(c)c.textContent=k+' of '+n;var m=document.querySelector('button.more-rows[data-t="'+id+'"]');if(m)m.hidden=k>=n;}
function apply(){var t0=performance.now();var q=v('q'),th=v('thread'),au=v('author'),st=v('stance'),lo=parseFloat(v('min')),hi=parseFloat(v('max'));
show('queue-table',function(r,d){return (!q||r.textContent.toLowerCase().indexOf(q)>=0)&&(!th||d.thread.indexOf(th)>=0)&&(!au||d.author.indexOf(au)>=0)&&(!st||d.stance===st)&&(isNaN(lo)||+d.p>=lo)&&(isNaN(hi)||+d.p<=hi);});
show('threads-table',function(r,d){return (!q||r.textContent.toLowerCase().indexOf(q)>=0)&&(!th||d.thread.indexOf(th)>=0)&&(isNaN(lo)||+d.p>=lo)&&(isNaN(hi)||+d.p<=hi);});
if(F)F.dataset.ms=(performance.now()-t0).toFixed(1);}
window.tlApply=apply;if(!F)return;
F.addEventListener('input',apply);F.addEventListener('submit',function(e){e.preventDefault();});
})();"##;

/// The self-contained HTML report: the first `queue_rows` of the queue and
/// `thread_rows` of the threads.
pub fn html(r: &Report, queue_rows: usize, thread_rows: usize) -> String {
    let c = &r.corpus;
    let shown_queue = &r.queue[..queue_rows.min(r.queue.len())];
    let by_id: HashMap<&str, usize> = r
        .threads
        .iter()
        .enumerate()
        .map(|(i, t)| (t.id.as_str(), i))
        .collect();
    let tree_of: HashMap<&str, usize> = r
        .trees
        .iter()
        .enumerate()
        .map(|(j, t)| (t.0.as_str(), j))
        .collect();
    let queued: HashMap<(&str, &str), &QueueItem> = shown_queue
        .iter()
        .map(|q| ((q.thread.as_str(), q.id.as_str()), q))
        .collect();
    let mut anchors: Anchors = HashMap::new();
    for (j, (thread, nodes)) in r.trees.iter().enumerate() {
        for (i, n) in nodes.iter().enumerate() {
            if n.flagged && queued.contains_key(&(thread.as_str(), n.id.as_str())) {
                anchors.insert((thread.as_str(), n.id.as_str()), format!("c{j}-{i}"));
            }
        }
    }
    // Where a thread's name links: its tree, else its table row.
    let thread_link = |id: &str| -> Option<String> {
        match (tree_of.get(id), by_id.get(id)) {
            (Some(j), _) => Some(format!("#t{j}")),
            (None, Some(&k)) if k < thread_rows => Some(format!("#th{k}")),
            _ => None,
        }
    };
    let linked = |id: &str, inner: String| match thread_link(id) {
        Some(h) => format!("<a href=\"{h}\">{inner}</a>"),
        None => inner,
    };

    let mut o = String::with_capacity(1 << 16);
    let _ = write!(
        o,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\"><title>threadlens report</title><style>{CSS}</style></head><body><h1>threadlens report</h1>"
    );
    let _ = write!(
        o,
        "<p class=\"meta\">{} threads · {} comments · {} participants · incivility threshold {:.3} · models: incivility <code>{}</code>, stance <code>{}</code> · {}</p>",
        c.threads,
        c.comments,
        c.participants_shown(),
        r.threshold,
        html_escape(&r.models.incivility[..16.min(r.models.incivility.len())]),
        html_escape(r.models.stance.as_deref().map_or("none", |s| &s[..16.min(s.len())])),
        html_escape(&r.created_by)
    );
    let _ = write!(
        o,
        "<nav class=\"toc\"><a href=\"#summary\">Summary</a><a href=\"#queue\">Moderation queue ({})</a><a href=\"#threads\">Threads ({})</a><a href=\"#trees\">Thread trees ({})</a><a href=\"#charts\">Charts</a><a href=\"#corpus\">Corpus statistics</a></nav>",
        r.queue_total,
        c.threads,
        r.trees.len()
    );

    // Summary.
    let s = summary(r);
    let _ = write!(
        o,
        "<section class=\"summary\" id=\"summary\"><p class=\"lead\"><b>{}</b></p>",
        html_escape(&s.lead)
    );
    if !s.first.is_empty() {
        o.push_str("<p>Open these threads first:</p><ol>");
        for (k, why) in &s.first {
            let t = &r.threads[*k];
            let _ = write!(
                o,
                "<li>{} — {}</li>",
                linked(&t.id, thread_name(Some(t), &t.id)),
                html_escape(why)
            );
        }
        o.push_str("</ol>");
    }
    if let Some(d) = s.drivers_sentence(&html_escape) {
        let _ = write!(o, "<p>{d}</p>");
    }
    if let Some(st) = &s.stance {
        let _ = write!(o, "<p>{}</p>", html_escape(st));
    }
    o.push_str("</section>");

    // Filters, then the queue.
    let _ = write!(
        o,
        "<h2 id=\"queue\">Moderation queue</h2><form id=\"filters\" class=\"filters\" role=\"search\"><label>Search <input name=\"q\" type=\"search\" placeholder=\"words in the text\"></label><label>Thread <input name=\"thread\"></label><label>Author <input name=\"author\"></label><label>P(uncivil) <input name=\"min\" type=\"number\" min=\"0\" max=\"1\" step=\"0.05\" placeholder=\"from\"> – <input name=\"max\" type=\"number\" min=\"0\" max=\"1\" step=\"0.05\" placeholder=\"to\"></label><label>Stance <select name=\"stance\"><option value=\"\">any</option>{}</select></label><span class=\"note\">queue rows shown: <span id=\"queue-table-n\">{}</span>; threads: <span id=\"threads-table-n\">{}</span></span></form>",
        c.stance_labels
            .iter()
            .map(|l| format!("<option>{l}</option>"))
            .collect::<String>(),
        shown_of(shown_queue.len()),
        shown_of(thread_rows.min(r.threads.len()))
    );
    let _ = write!(
        o,
        "<p class=\"note\">{} comments at or over the {} threshold ({:.2}), by {}; the first {} here, all of them in the JSON and CSV. Click a row to see the comment in its thread; click a column to sort.</p><div class=\"scroll\"><table class=\"sortable\" id=\"queue-table\"><thead><tr><th>#</th><th class=\"p\">P(uncivil)</th>{}<th>comment</th><th class=\"why\">why</th><th class=\"th\">thread</th></tr></thead><tbody>",
        r.queue_total,
        html_escape(&r.queue_sort.replace('_', " ")),
        r.queue_threshold,
        html_escape(&r.queue_sort),
        shown_queue.len(),
        r.attributes
            .iter()
            .map(|a| format!("<th class=\"p\">P({})</th>", html_escape(&a.replace('_', " "))))
            .collect::<String>()
    );
    for q in shown_queue {
        let t = by_id.get(q.thread.as_str()).map(|&k| &r.threads[k]);
        let anchor = anchors.get(&(q.thread.as_str(), q.id.as_str()));
        let search_thread = match t {
            Some(t) => format!("{} {}", t.id, t.title),
            None => q.thread.clone(),
        };
        let _ = write!(
            o,
            "<tr id=\"q{}\"{}{} data-thread=\"{}\" data-author=\"{}\" data-p=\"{:.4}\" data-stance=\"{}\"><td class=\"num\">{}</td><td class=\"num\">{:.3}</td>{}<td class=\"txt\"><div class=\"meta\">{}{} · depth {}{} · <span title=\"{}\">{}</span></div>{}{}</td><td>{}</td><td>{}</td></tr>",
            q.rank,
            if q.rank as usize > PAGE { " hidden" } else { "" },
            anchor.map_or(String::new(), |a| format!(" data-go=\"{a}\"")),
            html_escape(&search_thread.to_lowercase()),
            html_escape(&q.author.as_deref().unwrap_or("").to_lowercase()),
            q.incivility,
            q.stance.unwrap_or(""),
            match anchor {
                Some(a) => format!("<a href=\"#{a}\">{}</a>", q.rank),
                None => q.rank.to_string(),
            },
            q.incivility,
            r.attributes
                .iter()
                .map(|a| format!("<td class=\"num\">{}</td>", opt(q.attributes.get(a).copied(), 3)))
                .collect::<String>(),
            q.author.as_deref().map_or("no author".into(), user),
            q.stance.map_or(String::new(), |s| format!(
                " · <span class=\"edge s-{s}\">{s}</span>"
            )),
            q.depth,
            q.domain.as_deref().map_or(String::new(), |d| {
                let d = html_escape(d);
                format!(" · <span title=\"P(uncivil) from the {d} model: this comment reads like a {d} comment\">{d} model</span>")
            }),
            html_escape(&q.source),
            user(short_source(&q.source)),
            text_block(&q.text, &q.reasons),
            if q.parent_text.is_empty() {
                String::new()
            } else {
                format!("<div class=\"parent\">in reply to: {}</div>", user(&q.parent_text))
            },
            reason_list(q),
            linked(&q.thread, thread_name(t, &q.thread)),
        );
    }
    o.push_str(&more_button("queue-table", shown_queue.len()));

    // Threads.
    let _ = write!(
        o,
        "<h2 id=\"threads\">Threads by attention</h2><p class=\"note\">Top {} of {}; click a column to sort, “more” for the rest of a thread's measures. {}</p><div class=\"scroll\"><table class=\"sortable\" id=\"threads-table\"><thead><tr><th>#</th><th>thread</th><th>attention</th><th>comments</th><th>uncivil</th><th>mean P</th><th>disagreement chain</th><th>flame dyads</th>{}<th>details</th></tr></thead><tbody>",
        thread_rows.min(r.threads.len()),
        r.corpus.threads,
        html_escape(THREAD_NOTE),
        r.attributes
            .iter()
            .map(|a| format!("<th>{} ≥ .5</th>", html_escape(a)))
            .collect::<String>()
    );
    for (k, t) in r.threads.iter().take(thread_rows).enumerate() {
        let _ = write!(
            o,
            "<tr id=\"th{k}\"{} data-thread=\"{}\" data-p=\"{:.4}\"><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{:.2}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{:.3}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>{}<td>{}</td></tr>",
            if k >= PAGE { " hidden" } else { "" },
            html_escape(&format!("{} {}", t.id, t.title).to_lowercase()),
            t.incivility_mean,
            k + 1,
            linked(&t.id, thread_name(Some(t), &t.id)),
            t.attention,
            t.comments,
            t.uncivil,
            t.incivility_mean,
            t.longest_disagreement_chain,
            t.flame_dyads.len(),
            r.attributes
                .iter()
                .map(|a| format!(
                    "<td class=\"num\">{}</td>",
                    t.attributes.get(a).map_or("–".into(), |n| n.to_string())
                ))
                .collect::<String>(),
            thread_details(t)
        );
    }
    o.push_str(&more_button(
        "threads-table",
        thread_rows.min(r.threads.len()),
    ));

    // Trees.
    let _ = write!(
        o,
        "<h2 id=\"trees\">Thread trees</h2><p class=\"note\">{} threads: the top threads by attention and the threads of the queue rows above, collapsed: open one to read it along the paths to its flagged comments (outlined). Left bar: P(uncivil), green → dark red; label: stance toward the parent. Long threads show their first comments in reading order and every flagged comment with its ancestors.{}</p>",
        r.trees.len(),
        // A queue by a head outlines what that head flags; the count in
        // each thread's line stays the incivility flag's.
        if r.queue_sort == "incivility" {
            String::new()
        } else {
            format!(
                " Outlined here: P({}) at or over {:.2}, as in the queue; each thread's count of flagged comments is of P(uncivil).",
                html_escape(&r.queue_sort.replace('_', " ")),
                r.queue_threshold
            )
        }
    );
    for (j, (id, nodes)) in r.trees.iter().enumerate() {
        let t = by_id.get(id.as_str()).map(|&k| &r.threads[k]);
        let total = t.map_or(0, |t| t.comments) + 1;
        let _ = write!(
            o,
            "<details class=\"thread\" id=\"t{j}\"><summary>{} — {} comments, {} flagged, attention {:.2}{}</summary>",
            thread_name(t, id),
            t.map_or(0, |t| t.comments),
            t.map_or(0, |t| t.uncivil),
            t.map_or(0.0, |t| t.attention),
            if (nodes.len() as u64) < total {
                format!(" <span class=\"meta\">(showing {} of {total})</span>", nodes.len())
            } else {
                String::new()
            }
        );
        tree_html(&mut o, j, id, nodes, &queued);
        o.push_str("</details>");
    }

    // Charts.
    o.push_str("<h2 id=\"charts\">Charts</h2>");
    let bins = r.histogram.len().max(1) as f64;
    let hl: Vec<String> = (0..r.histogram.len())
        .map(|i| format!("{:.2}", i as f64 / bins))
        .collect();
    let hv: Vec<f64> = r.histogram.iter().map(|&v| v as f64).collect();
    debug_assert!(r.histogram.is_empty() || r.histogram.len() == BINS);
    o.push_str("<h3>How scores are spread</h3>");
    o.push_str(
        &Chart {
            title: "comments per P(uncivil) bin",
            values: &hv,
            labels: &hl,
            x_title: "P(uncivil) (bins of 0.05)",
            y_title: "comments",
            y_digits: 0,
            vline: Some((r.threshold, format!("threshold {:.2}", r.threshold))),
            hline: None,
        }
        .svg(),
    );
    let dl: Vec<String> = r
        .by_depth
        .iter()
        .map(|d| format!("{}{}", d.depth, if d.and_deeper { "+" } else { "" }))
        .collect();
    let dv: Vec<f64> = r.by_depth.iter().map(|d| d.incivility_mean).collect();
    o.push_str("<h3>Incivility by depth</h3>");
    o.push_str(
        &Chart {
            title: "mean P(uncivil) per reply depth",
            values: &dv,
            labels: &dl,
            x_title: "reply depth (1 = reply to the post)",
            y_title: "mean P(uncivil)",
            y_digits: 2,
            vline: None,
            hline: Some((r.threshold, format!("threshold {:.2}", r.threshold))),
        }
        .svg(),
    );
    o.push_str("<table><thead><tr><th>depth</th><th>comments</th><th>mean P(uncivil)</th><th>share uncivil</th></tr></thead><tbody>");
    for (d, l) in r.by_depth.iter().zip(&dl) {
        let _ = write!(
            o,
            "<tr><td>{l}</td><td class=\"num\">{}</td><td class=\"num\">{:.4}</td><td class=\"num\">{:.4}</td></tr>",
            d.comments, d.incivility_mean, d.uncivil_share
        );
    }
    o.push_str("</tbody></table>");

    // Corpus statistics.
    o.push_str("<h2 id=\"corpus\">Corpus statistics</h2><table><thead><tr><th>measure</th><th>value</th><th>95% interval</th></tr></thead><tbody>");
    for (name, value, interval) in corpus_rows(c) {
        let _ = write!(
            o,
            "<tr><td>{}</td><td class=\"num\">{value}</td><td class=\"num\">{interval}</td></tr>",
            html_escape(name)
        );
    }
    let _ = write!(
        o,
        "</tbody></table><p class=\"note\">{}</p>",
        html_escape(&c.interval_method)
    );
    let _ = writeln!(
        o,
        "<script>{}</script></body></html>",
        JS.replace("%PAGE%", &PAGE.to_string())
    );
    o
}

/// The measures of a thread not in the table's columns: the Markdown
/// table's other cells, under its headers.
fn thread_details(t: &ThreadStats) -> String {
    const IN_TABLE: [&str; 5] = [
        "attention",
        "comments",
        "mean P",
        "uncivil",
        "disagreement chain",
    ];
    let mut s = String::from("<details><summary>more</summary><dl class=\"more\">");
    for (h, (_, v)) in thread_headers(&[]).iter().zip(thread_cells(t, &[], &user)) {
        if !IN_TABLE.contains(&h.as_str()) {
            let _ = write!(
                s,
                "<dt>{}</dt><dd>{}</dd>",
                html_escape(h),
                if v.is_empty() { "–" } else { &v }
            );
        }
    }
    s.push_str("</dl></details>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_keep_their_file_and_its_folder() {
        assert_eq!(
            short_source("/tmp/x/re19/replies/1.json:1"),
            "replies/1.json:1"
        );
        assert_eq!(short_source("a.jsonl:3"), "a.jsonl:3");
        assert_eq!(short_source("d/a.jsonl:3"), "d/a.jsonl:3");
    }

    #[test]
    fn marks_wrap_escaped_text_only() {
        let t = "<b>idiot</b> & \u{202E}moron";
        let h = marked(t, &highlights(t, ["word:idiot", "word:moron"]));
        assert_eq!(
            h,
            "<bdi>&lt;b&gt;<mark>idiot</mark>&lt;/b&gt; &amp; ⟨U+202E⟩<mark>moron</mark></bdi>"
        );
        // Ranges past the end are cut, not a panic.
        assert_eq!(marked("ab", &[(1, 9)]), "<bdi>a<mark>b</mark></bdi>");
    }
}
