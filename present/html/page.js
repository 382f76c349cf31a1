// The timeline of poolflow's HTML report, drawn from the JSON in
// #timeline-data (present/page.go says what it holds). It loads nothing.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("timeline-data").textContent);
  var NAMES = ["ok", "retried", "skipped", "failed", "cancelled"];
  var lanesEl = document.getElementById("lanes");
  var axisEl = document.getElementById("axis");
  var tip = document.getElementById("tip");
  var span = data.duration_ms > 0 ? data.duration_ms : 1;
  var bins = data.slice_ms > 0;
  var lanes = []; // per lane: {el, track, buttons, bars, canvas, data}

  function pct(ms) { return Math.max(0, Math.min(100, 100 * ms / span)) + "%"; }

  // ms writes a duration with three significant digits, as the summary does.
  function ms(v) {
    var three = function (x) { return x.toPrecision(3).replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, ""); };
    if (v >= 100000) return Math.round(v / 1000) + "s";
    if (v >= 1000) return three(v / 1000) + "s";
    if (v >= 1) return three(v) + "ms";
    return Math.round(v * 1000) + "µs";
  }

  function count(n) { return n.toLocaleString("en-US"); }

  // A bar: [start, duration, outcome, index, attempt, attempts, item, headline, failure].
  function describe(lane, b) {
    var what, line;
    if (b[3] < 0) {
      what = b[7] || laneName(lane) + ": initializer";
      line = "initializer · " + ms(b[1]) + " · " + NAMES[b[2]];
    } else {
      what = b[7] || "item " + b[3] + ": " + b[6];
      line = "attempt " + b[4] + " of " + b[5] + " · " + ms(b[1]) + " · " + NAMES[b[2]] + " · " + laneName(lane) + ", started at " + ms(b[0]);
    }
    if (b[8] >= 0) line += " · Enter: the failure";
    return what + "\n" + line;
  }

  function laneLabel(lane) {
    var parts = [];
    for (var i = 0; i < NAMES.length; i++) {
      if (lane.counts[i] > 0) parts.push(count(lane.counts[i]) + " " + NAMES[i]);
    }
    var total = lane.counts.reduce(function (a, b) { return a + b; }, 0);
    var s = laneName(lane) + ": ";
    s += lane.init ? "initializer " + NAMES[lane.init[2]] + ", " : "";
    s += total === 0 ? "no attempt" : count(total) + " attempts, " + parts.join(", ");
    if (bins) s += "; " + count(lane.bars.length) + " shown as bars";
    return s;
  }

  function ticks() {
    var target = span / 8, step = Math.pow(10, Math.floor(Math.log10(target)));
    [1, 2, 5, 10].some(function (m) { if (step * m >= target) { step *= m; return true; } return false; });
    for (var t = 0; t <= span + 1e-9; t += step) {
      var el = document.createElement("span");
      el.className = t === 0 ? "tick first" : "tick";
      el.style.left = pct(t);
      el.textContent = t === 0 ? "0" : ms(t);
      axisEl.appendChild(el);
    }
    if (data.ended_by) {
      var end = document.createElement("span");
      end.className = "end-label";
      end.style.left = pct(data.ended_by.at_ms);
      end.textContent = (data.ended_by.reason === "interrupt" ? "interrupted" : "aborted") + " at " + ms(data.ended_by.at_ms);
      axisEl.classList.add("axis-ended");
      axisEl.appendChild(end);
    }
  }

  function barButton(lane, b, k) {
    var el = document.createElement("button");
    el.type = "button";
    el.className = "bar o-" + (b[3] < 0 && b[2] === 0 ? "init" : NAMES[b[2]]);
    el.style.left = pct(b[0]);
    el.style.width = pct(b[1]);
    el.tabIndex = -1;
    el.dataset.k = k;
    el.setAttribute("aria-label", describe(lane, b).replace("\n", ". "));
    return el;
  }

  // laneName names a lane: a worker, or in a distributed run a worker
  // process's slot.
  function laneName(lane) {
    return lane.node ? lane.node + " slot " + lane.worker : "worker " + lane.worker;
  }

  function buildLane(lane, li) {
    var row = document.createElement("div");
    row.className = "lane";
    row.setAttribute("role", "group");
    row.setAttribute("aria-label", laneLabel(lane));
    var label = document.createElement("div");
    label.className = "lane-label";
    label.setAttribute("aria-hidden", "true");
    label.textContent = laneName(lane);
    var track = document.createElement("div");
    track.className = "track";
    var entry = { worker: lane.worker, el: row, track: track, bars: [], buttons: [], data: lane };
    if (bins) {
      entry.canvas = document.createElement("canvas");
      entry.canvas.setAttribute("aria-hidden", "true");
      entry.canvas.dataset.lane = li;
      track.appendChild(entry.canvas);
    }
    var bars = (lane.init ? [lane.init] : []).concat(lane.bars.slice().sort(function (a, b) { return a[0] - b[0]; }));
    var frag = document.createDocumentFragment();
    bars.forEach(function (b, k) {
      var el = barButton(lane, b, k);
      if (k === 0) el.tabIndex = 0;
      entry.bars.push(b);
      entry.buttons.push(el);
      el.dataset.lane = li;
      frag.appendChild(el);
    });
    track.appendChild(frag);
    if (data.ended_by) {
      var line = document.createElement("div");
      line.className = "endline";
      line.style.left = pct(data.ended_by.at_ms);
      track.appendChild(line);
    }
    row.appendChild(label);
    row.appendChild(track);
    return entry;
  }

  // The most attempts any lane started in one slice.
  var busiest = 1;
  data.lanes.forEach(function (lane) {
    for (var s = 0; bins && s < data.slices; s++) {
      var n = 0;
      for (var o = 0; o < NAMES.length; o++) n += lane.bins[s * NAMES.length + o];
      busiest = Math.max(busiest, n);
    }
  });

  // The heat strip of a binned lane: per slice, a column as tall as the
  // worker was full (running attempts the whole slice, or starting as
  // many as the busiest slice of any lane), split by outcome.
  function draw(entry) {
    var c = entry.canvas, dpr = window.devicePixelRatio || 1;
    var w = c.clientWidth * dpr, h = c.clientHeight * dpr;
    if (!w || !h) return;
    c.width = w; c.height = h;
    var g = c.getContext("2d"), css = getComputedStyle(document.documentElement);
    var colours = NAMES.map(function (n) { return css.getPropertyValue("--" + n).trim(); });
    var K = NAMES.length, busy = entry.data.busy, counts = entry.data.bins, sw = w * data.slice_ms / span;
    for (var s = 0; s < data.slices; s++) {
      var n = 0, b = 0, o;
      for (o = 0; o < K; o++) { n += counts[s * K + o]; b += busy[s * K + o]; }
      var full = Math.min(1, Math.max(n / busiest, b / 100));
      if (full === 0) continue;
      var parts = n > 0 ? counts : busy, total = n > 0 ? n : b, y = h;
      for (o = 0; o < K; o++) {
        var part = parts[s * K + o];
        if (!part) continue;
        var bh = Math.max(1, h * full * part / total);
        g.fillStyle = colours[o];
        g.fillRect(Math.floor(s * sw), y - bh, Math.ceil(sw), bh);
        y -= bh;
      }
    }
  }

  function sliceText(entry, s) {
    var from = s * data.slice_ms, parts = [], busy = 0;
    for (var o = 0; o < NAMES.length; o++) {
      var n = entry.data.bins[s * NAMES.length + o];
      if (n) parts.push(count(n) + " " + NAMES[o]);
      busy += entry.data.busy[s * NAMES.length + o];
    }
    return laneName(entry.data) + ", " + ms(from) + " to " + ms(from + data.slice_ms) + "\n" +
      (parts.length ? "attempts started: " + parts.join(", ") : "no attempt started") + " · busy " + Math.min(100, busy) + "%";
  }

  function show(text, rect) {
    tip.textContent = text;
    tip.hidden = false;
    var tw = tip.offsetWidth, th = tip.offsetHeight;
    var x = Math.min(Math.max(4, rect.left), window.innerWidth - tw - 4);
    var y = rect.top - th - 6;
    if (y < 4) y = rect.bottom + 6;
    tip.style.left = x + "px";
    tip.style.top = y + "px";
  }

  function hide() { tip.hidden = true; }

  function barOf(el) {
    if (!el || !el.classList || !el.classList.contains("bar")) return null;
    var entry = lanes[+el.dataset.lane];
    return { entry: entry, k: +el.dataset.k, bar: entry.bars[+el.dataset.k] };
  }

  function move(from, to) {
    if (!to) return;
    from.tabIndex = -1;
    to.tabIndex = 0;
    to.focus();
  }

  // nearest is the bar of a lane closest in time to t.
  function nearest(entry, t) {
    var best = null, d = Infinity;
    entry.bars.forEach(function (b, k) {
      var x = Math.abs(b[0] - t);
      if (x < d) { d = x; best = entry.buttons[k]; }
    });
    return best;
  }

  function onKey(ev) {
    var hit = barOf(ev.target);
    if (!hit) return;
    var btns = hit.entry.buttons, li = lanes.indexOf(hit.entry), to = null, step;
    switch (ev.key) {
      case "ArrowRight": to = btns[hit.k + 1]; break;
      case "ArrowLeft": to = btns[hit.k - 1]; break;
      case "Home": to = btns[0]; break;
      case "End": to = btns[btns.length - 1]; break;
      case "ArrowDown": case "ArrowUp":
        step = ev.key === "ArrowDown" ? 1 : -1;
        for (var i = li + step; i >= 0 && i < lanes.length && !to; i += step) to = nearest(lanes[i], hit.bar[0]);
        break;
      case "Escape": hide(); return;
      default: return;
    }
    ev.preventDefault();
    move(ev.target, to);
  }

  function onClick(ev) {
    var hit = barOf(ev.target);
    if (!hit || hit.bar[8] < 0) return;
    var f = document.getElementById("failure-" + hit.bar[8]);
    if (f) { f.scrollIntoView({ block: "start" }); f.focus({ preventScroll: true }); }
  }

  function onOver(ev) {
    var hit = barOf(ev.target);
    if (hit) { show(describe(hit.entry.data, hit.bar), ev.target.getBoundingClientRect()); return; }
    if (!ev.target.dataset || ev.target.tagName !== "CANVAS") { hide(); return; }
  }

  function onCanvasMove(ev) {
    if (ev.target.tagName !== "CANVAS") return;
    var entry = lanes[+ev.target.dataset.lane], r = ev.target.getBoundingClientRect();
    var s = Math.min(data.slices - 1, Math.max(0, Math.floor((ev.clientX - r.left) / r.width * span / data.slice_ms)));
    show(sliceText(entry, s), { left: ev.clientX, right: ev.clientX, top: r.top, bottom: r.bottom });
  }

  ticks();
  var frag = document.createDocumentFragment();
  data.lanes.forEach(function (lane, li) {
    var entry = buildLane(lane, li);
    lanes.push(entry);
    frag.appendChild(entry.el);
  });
  lanesEl.appendChild(frag);
  lanesEl.addEventListener("keydown", onKey);
  lanesEl.addEventListener("click", onClick);
  lanesEl.addEventListener("mouseover", onOver);
  lanesEl.addEventListener("mouseleave", hide);
  lanesEl.addEventListener("focusin", function (ev) {
    var hit = barOf(ev.target);
    if (hit) show(describe(hit.entry.data, hit.bar), ev.target.getBoundingClientRect());
  });
  lanesEl.addEventListener("focusout", hide);
  if (bins) {
    lanesEl.addEventListener("mousemove", onCanvasMove);
    var redraw = function () { lanes.forEach(draw); };
    redraw();
    if (window.ResizeObserver) new ResizeObserver(redraw).observe(lanesEl);
    window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", redraw);
  }
  document.documentElement.dataset.drawn = String(Math.round(performance.now()));
})();
