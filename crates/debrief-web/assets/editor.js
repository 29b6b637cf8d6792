// The story editor: judges the answer as it is typed (POST /api/check, debounced), marks the
// findings' spans in a layer under the textarea, and lists findings, verdict and probes beside it.
"use strict";
(function () {
  const area = document.getElementById("story-body");
  const layer = document.getElementById("highlights");
  if (!area || !layer) return;
  const question = document.getElementById("story-question");
  const verdict = document.getElementById("verdict");
  const metrics = document.getElementById("metrics");
  const findingsList = document.getElementById("findings");
  const probesList = document.getElementById("probes");
  const scores = document.getElementById("scores");
  const token = document.querySelector('meta[name="csrf-token"]').content;
  // Past this many characters (about 3,500 words, ten answers' worth) the answer is not judged
  // as it is typed: a pasted document would cost seconds a keystroke. Saving judges it once.
  const LIVE_LIMIT = 20000;
  let timer = null;
  let sequence = 0;
  // The last judged text and its marks, kept so that typing moves the marks with the words.
  let judgedText = "";
  let judgedSpans = [];
  let shownVerdict = "";

  // Byte offsets (the contract's spans) to UTF-16 indices (the textarea's).
  function byteToIndex(text) {
    const map = new Map();
    let bytes = 0;
    for (let i = 0; i < text.length; ) {
      const cp = text.codePointAt(i);
      map.set(bytes, i);
      bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      i += cp > 0xffff ? 2 : 1;
    }
    map.set(bytes, text.length);
    return (b) => (map.has(b) ? map.get(b) : text.length);
  }

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function spansOf(findings, text) {
    const at = byteToIndex(text);
    return findings
      .map((f, i) => ({ start: at(f.start), end: at(f.end), severity: f.severity, i }))
      .filter((s) => s.end > s.start)
      .sort((a, b) => a.start - b.start || b.end - a.end);
  }

  // The spans worth marking: narrow ones win over the wide ones they overlap, and a finding
  // about most of the answer (its length, say) is listed beside it rather than painted.
  function drawable(text, spans) {
    const chosen = [];
    const narrowFirst = spans
      .filter((s) => s.end - s.start <= Math.max(200, text.length / 2))
      .sort((a, b) => (a.end - a.start) - (b.end - b.start));
    for (const s of narrowFirst) {
      if (chosen.every((c) => s.end <= c.start || s.start >= c.end)) chosen.push(s);
    }
    return chosen.sort((a, b) => a.start - b.start);
  }

  function paintLayer(text, spans) {
    layer.replaceChildren();
    let pos = 0;
    for (const s of drawable(text, spans)) {
      layer.append(document.createTextNode(text.slice(pos, s.start)));
      const mark = el("mark", "sev-" + s.severity, text.slice(s.start, s.end));
      mark.dataset.finding = String(s.i);
      layer.append(mark);
      pos = s.end;
    }
    // A trailing space keeps the last line's height equal to the textarea's.
    layer.append(document.createTextNode(text.slice(pos) + " "));
    layer.scrollTop = area.scrollTop;
  }

  function select(span) {
    area.focus();
    area.setSelectionRange(span.start, span.end);
  }

  // The marks after an edit: those before it stay, those after it move by what was typed or
  // deleted, those it touched go until the next judgment.
  function shifted(before, after, spans) {
    let p = 0;
    const min = Math.min(before.length, after.length);
    while (p < min && before.charCodeAt(p) === after.charCodeAt(p)) p++;
    let eb = before.length;
    let ea = after.length;
    while (eb > p && ea > p && before.charCodeAt(eb - 1) === after.charCodeAt(ea - 1)) { eb--; ea--; }
    const delta = ea - eb;
    return spans
      .filter((s) => s.end <= p || s.start >= eb)
      .map((s) => (s.start >= eb ? { start: s.start + delta, end: s.end + delta, severity: s.severity, i: s.i } : s));
  }

  // The verdict line changes (and is announced) only when the verdict or score does.
  function setVerdict(key, build) {
    if (key === shownVerdict) return;
    shownVerdict = key;
    verdict.replaceChildren();
    build();
  }

  function showScores(report) {
    if (!scores) return;
    const byId = new Map(report.competencies.map((c) => [c.id, c]));
    for (const row of scores.querySelectorAll("tr[data-competency]")) {
      const c = byId.get(row.dataset.competency);
      const cell = row.querySelector("td");
      row.classList.toggle("target", !!(c && c.target));
      if (c && c.score) {
        cell.className = "";
        cell.textContent = c.score + " of 4";
      } else {
        cell.className = "muted";
        cell.textContent = "not shown yet";
      }
    }
  }

  function show(report, text) {
    const spans = spansOf(report.findings, text);
    judgedText = text;
    judgedSpans = spans;
    paintLayer(text, spans);
    const byFinding = new Map(spans.map((s) => [s.i, s]));
    setVerdict(report.verdict + report.score + report.disqualified, () => {
      verdict.append(el("span", "verdict v-" + report.verdict, report.verdict), " " + report.score + "/100");
      if (report.disqualified) verdict.append(el("span", "error", " · disqualified"));
    });
    showScores(report);
    const m = report.metrics;
    metrics.textContent = m.words + " words · ~" + Math.round(m.speaking_seconds) + " s spoken · " +
      m.quantities + " numbers · I " + m.first_person_singular + " / we " + m.first_person_plural;
    findingsList.replaceChildren();
    const order = { disqualifier: 0, concern: 1, strength: 2, note: 3 };
    const findings = report.findings.map((f, i) => ({ f, i }))
      .sort((a, b) => order[a.f.severity] - order[b.f.severity] || a.f.start - b.f.start);
    for (const { f, i } of findings) {
      const li = el("li");
      li.append(el("span", "sev sev-" + f.severity, f.severity), " ");
      const quote = f.text.length > 140 ? f.text.slice(0, 137) + "\u2026" : f.text;
      li.append(el("q", null, quote), " ");
      const span = byFinding.get(i);
      if (span) {
        const go = el("button", null, "show");
        go.type = "button";
        // The accessible name starts with the visible text.
        go.setAttribute("aria-label", "show \u201c" + quote + "\u201d in the answer, line " + f.line);
        go.addEventListener("click", () => select(span));
        li.append(go);
      }
      li.append(el("div", null, f.message));
      if (f.suggestion) li.append(el("div", "muted", "Try: " + f.suggestion));
      findingsList.append(li);
    }
    if (!report.findings.length) findingsList.append(el("li", "muted", "Nothing found yet."));
    probesList.replaceChildren();
    for (const p of report.probes) probesList.append(el("li", null, p.question));
  }

  function clear(message) {
    judgedText = area.value;
    judgedSpans = [];
    if (area.value.length <= LIVE_LIMIT) paintLayer(area.value, []);
    else layer.replaceChildren();
    setVerdict(message, () => { verdict.textContent = message; });
    metrics.textContent = "";
    findingsList.replaceChildren();
    probesList.replaceChildren();
  }

  async function check() {
    const text = area.value;
    const mine = ++sequence;
    if (!text.trim()) {
      clear("Start typing to see the committee's read.");
      return;
    }
    if (text.length > LIVE_LIMIT) {
      const words = text.split(/\s+/).filter(Boolean).length;
      clear("Live judging pauses at this length (" + words.toLocaleString() +
        " words; a spoken answer is 150 to 400). Shorten it, or save to judge it once.");
      return;
    }
    try {
      const res = await fetch("/api/check", {
        method: "POST",
        headers: { "content-type": "application/json", "x-csrf-token": token },
        body: JSON.stringify({ text: text, question: question && question.value ? question.value : null }),
      });
      const body = await res.json();
      if (mine !== sequence) return; // a newer check is on its way
      if (!res.ok) {
        clear(body.error || "The answer could not be judged.");
        return;
      }
      show(body, text);
    } catch (e) {
      if (mine === sequence) verdict.textContent = "Could not reach debrief: " + e.message;
    }
  }

  function later() {
    const text = area.value;
    if (text.length <= LIVE_LIMIT) {
      judgedSpans = shifted(judgedText, text, judgedSpans);
      judgedText = text;
      paintLayer(text, judgedSpans);
    } else if (layer.childNodes.length) {
      layer.replaceChildren();
    }
    clearTimeout(timer);
    timer = setTimeout(check, 200);
  }

  area.addEventListener("input", later);
  area.addEventListener("scroll", () => { layer.scrollTop = area.scrollTop; });
  if (question) question.addEventListener("change", check);
  check();
})();
