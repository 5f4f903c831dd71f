/* Charts of the campaign page and the roll-out view (outreach app).
 * Reads the JSON of <script id="chart-data" type="application/json"> (Django's
 * json_script) and draws into each <canvas id="chart-KEY"> present on the page:
 *   progress: {labels, values, target, label, target_label}   cumulative line + target
 *   events:   {labels, attendance, registered, ..._label}      grouped bars
 *   channel, actor_type, sex: {labels, values}                 doughnuts
 *   coverage: {labels, values, total, label, total_label}      areas reached over time
 * A plain file after vendor/chart.js/chart.umd.js: no inline script (strict CSP). */
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof window.Chart === "undefined") { return; }
  var data;
  try { data = JSON.parse(source.textContent); } catch (e) { return; }

  var BLUE = "#032EA1", RED = "#E00025";
  var PALETTE = [BLUE, RED, "#00703C", "#B35900", "#5694CA", "#912B88", "#28A197", "#6F777B"];
  var numberFormat = new Intl.NumberFormat(document.documentElement.lang || undefined);

  function mount(key, height) {
    var canvas = document.getElementById("chart-" + key);
    if (!canvas) { return null; }
    var box = document.createElement("div");
    box.className = "chart-box";
    canvas.parentNode.insertBefore(box, canvas);
    box.appendChild(canvas);
    box.style.height = height;  // through the CSSOM, which a strict CSP allows
    return canvas;
  }

  function ticks() {
    return { beginAtZero: true, precision: 0, callback: function (v) { return numberFormat.format(v); } };
  }

  function lineWithLimit(key, values, limit, label, limitLabel) {
    var s = data[key];
    if (!s || !s.labels || !s.labels.length) { return; }
    var canvas = mount(key, "16rem");
    if (!canvas) { return; }
    new Chart(canvas, {
      type: "line",
      data: {
        labels: s.labels,
        datasets: [
          { label: label, data: values, borderColor: BLUE, backgroundColor: "rgba(3, 46, 161, 0.12)",
            fill: true, pointRadius: 0, borderWidth: 2, tension: 0.2 },
          { label: limitLabel, data: s.labels.map(function () { return limit; }), borderColor: RED,
            borderDash: [6, 4], pointRadius: 0, borderWidth: 2, fill: false }
        ]
      },
      options: { maintainAspectRatio: false, scales: { y: { ticks: ticks() }, x: { ticks: { maxTicksLimit: 8 } } } }
    });
  }

  function doughnut(key) {
    var s = data[key];
    if (!s || !s.labels || !s.labels.length) { return; }
    var canvas = mount(key, "16rem");
    if (!canvas) { return; }
    new Chart(canvas, {
      type: "doughnut",
      data: { labels: s.labels, datasets: [{ data: s.values,
        backgroundColor: s.labels.map(function (_, i) { return PALETTE[i % PALETTE.length]; }),
        borderColor: "#ffffff", borderWidth: 2 }] },
      options: { maintainAspectRatio: false, cutout: "55%", plugins: { legend: { position: "bottom" } } }
    });
  }

  function events() {
    var s = data.events;
    if (!s || !s.labels || !s.labels.length) { return; }
    var canvas = mount("events", "16rem");
    if (!canvas) { return; }
    new Chart(canvas, {
      type: "bar",
      data: { labels: s.labels, datasets: [
        { label: s.attendance_label, data: s.attendance, backgroundColor: "#5694CA" },
        { label: s.registered_label, data: s.registered, backgroundColor: BLUE }
      ] },
      options: { maintainAspectRatio: false, scales: { y: { ticks: ticks() } } }
    });
  }

  function draw() {
    var css = window.getComputedStyle(document.body);
    Chart.defaults.font.family = css.fontFamily;
    Chart.defaults.color = css.color;
    if (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches) {
      Chart.defaults.animation = false;
    }
    if (data.progress) {
      lineWithLimit("progress", data.progress.values, data.progress.target,
        data.progress.label, data.progress.target_label);
    }
    if (data.coverage) {
      lineWithLimit("coverage", data.coverage.values, data.coverage.total,
        data.coverage.label, data.coverage.total_label);
    }
    events();
    doughnut("channel");
    doughnut("actor_type");
    doughnut("sex");
  }

  // Canvas text does not re-render when a web font arrives: wait for Khmer briefly.
  if (document.fonts && document.fonts.load) {
    var loads = document.fonts.load('400 14px "Noto Sans Khmer"', "ក A1");
    var timeout = new Promise(function (resolve) { window.setTimeout(resolve, 3000); });
    Promise.race([loads, timeout]).then(draw, draw);
  } else {
    draw();
  }
})();
