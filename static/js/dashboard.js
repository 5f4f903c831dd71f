/* Dashboard charts.
 * Reads {KEY: {"chart": "bar"|"hbar"|"doughnut"|"line", "labels": [...], "values": [...],
 * "links": [...]}} (or "datasets": [{"label", "values"}] for stacked bars) from
 * <script id="chart-data" type="application/json"> (Django's json_script) and draws each
 * into <canvas id="chart-KEY">. A value of null is a count hidden for privacy ("<5"):
 * drawn as a gap. A bar with a link (an area) opens it: the drill-down. The numbers are
 * in the table beside each chart. Loaded as a plain file after vendor/chart.js/chart.umd.js: no inline
 * script, so a strict Content-Security-Policy works. */
(function () {
  "use strict";

  var source = document.getElementById("chart-data");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  var data;
  try {
    data = JSON.parse(source.textContent);
  } catch (e) {
    return;
  }

  var BLUE = "#032EA1";
  var RED = "#E00025";
  // Distinguishable on white, flag colours first; used in order for doughnut slices.
  var PALETTE = [BLUE, RED, "#00703C", "#B35900", "#5694CA", "#912B88",
    "#28A197", "#6F777B", "#D53880", "#85994B", "#F47738", "#1D1D7A"];

  var lang = document.documentElement.lang || undefined;
  var numberFormat = new Intl.NumberFormat(lang);
  var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function configureDefaults() {
    var css = window.getComputedStyle(document.body);
    // The page's own stack, so canvas text uses Noto Sans Khmer for Khmer labels.
    Chart.defaults.font.family = css.fontFamily;
    Chart.defaults.font.size = 14;
    Chart.defaults.color = css.color;
    Chart.defaults.maintainAspectRatio = false;
    Chart.defaults.responsive = true;
    if (reducedMotion) {
      Chart.defaults.animation = false;
    }
    Chart.defaults.plugins.tooltip.callbacks.label = function (ctx) {
      var value = ctx.parsed && typeof ctx.parsed === "object" ? ctx.parsed[ctx.chart.options.indexAxis === "y" ? "x" : "y"] : ctx.parsed;
      var name = ctx.chart.config.type === "doughnut" ? ctx.label : ctx.dataset.label;
      return (name ? name + ": " : "") + numberFormat.format(value);
    };
  }

  function series(key) {
    var s = data[key];
    if (!s || !Array.isArray(s.labels) || !Array.isArray(s.values) || s.labels.length === 0) {
      return null;
    }
    return s;
  }

  // Chart.js sizes a responsive chart from its parent, so give each canvas a parent of
  // its own with a definite height (set through the CSSOM, which CSP allows).
  function mount(key, height) {
    var canvas = document.getElementById("chart-" + key);
    if (!canvas) {
      return null;
    }
    var box = canvas.parentNode;
    if (!box.classList.contains("chart-box")) {
      box = document.createElement("div");
      box.className = "chart-box";
      canvas.parentNode.insertBefore(box, canvas);
      box.appendChild(canvas);
    }
    if (height) {
      box.style.height = height;
    }
    return canvas;
  }

  function countTicks() {
    return {
      beginAtZero: true,
      precision: 0,
      callback: function (value) { return numberFormat.format(value); }
    };
  }

  function bar(key, horizontal) {
    var s = data[key];
    if (!s || !Array.isArray(s.labels) || s.labels.length === 0) { return; }
    // One row per label: 25 provinces need a tall chart on a phone to stay readable.
    var height = horizontal ? Math.max(18, s.labels.length * 1.75 + 3) + "rem" : null;
    var canvas = mount(key, height);
    if (!canvas) { return; }
    var valueAxis = { ticks: countTicks(), grid: { color: "#e5e6e7" } };
    var labelAxis = { grid: { display: false }, ticks: { autoSkip: false } };
    var stacked = Array.isArray(s.datasets);
    var datasets = stacked ? s.datasets.map(function (d, i) {
      return { label: d.label, data: d.values, backgroundColor: PALETTE[i % PALETTE.length] };
    }) : [{ data: s.values, backgroundColor: BLUE, borderRadius: 2, maxBarThickness: 28 }];
    if (stacked) { valueAxis.stacked = true; labelAxis.stacked = true; }
    var links = Array.isArray(s.links) ? s.links : [];
    new Chart(canvas, {
      type: "bar",
      data: { labels: s.labels, datasets: datasets },
      options: {
        indexAxis: horizontal ? "y" : "x",
        plugins: { legend: { display: stacked, position: "bottom" } },
        scales: horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis },
        onClick: function (event, elements) {
          if (elements.length && links[elements[0].index]) {
            window.location.href = links[elements[0].index];
          }
        },
        onHover: function (event, elements) {
          var target = event.native && event.native.target;
          if (target) {
            target.style.cursor = elements.length && links[elements[0].index] ? "pointer" : "default";
          }
        }
      }
    });
    canvas.setAttribute("data-rendered", "true");
  }

  function doughnut(key) {
    var s = series(key);
    if (!s) { return; }
    var canvas = mount(key, "20rem");
    if (!canvas) { return; }
    new Chart(canvas, {
      type: "doughnut",
      data: {
        labels: s.labels,
        datasets: [{
          data: s.values,
          backgroundColor: s.labels.map(function (_, i) { return PALETTE[i % PALETTE.length]; }),
          borderColor: "#ffffff",
          borderWidth: 2
        }]
      },
      options: {
        cutout: "55%",
        plugins: { legend: { position: "bottom", labels: { boxWidth: 14, padding: 12 } } }
      }
    });
    canvas.setAttribute("data-rendered", "true");
  }

  function line(key) {
    var s = series(key);
    if (!s) { return; }
    var canvas = mount(key, "16rem");
    if (!canvas) { return; }
    new Chart(canvas, {
      type: "line",
      data: {
        labels: s.labels,
        datasets: [{
          data: s.values,
          borderColor: BLUE,
          backgroundColor: "rgba(3, 46, 161, 0.12)",
          pointBackgroundColor: RED,
          pointRadius: 3,
          borderWidth: 2,
          fill: true,
          spanGaps: false,
          tension: 0.25
        }]
      },
      options: {
        plugins: { legend: { display: false } },
        scales: { x: { grid: { display: false } }, y: { ticks: countTicks(), grid: { color: "#e5e6e7" } } }
      }
    });
    canvas.setAttribute("data-rendered", "true");
  }

  function draw() {
    configureDefaults();
    Object.keys(data).forEach(function (key) {
      var kind = data[key] && data[key].chart;
      if (kind === "hbar") { bar(key, true); }
      else if (kind === "bar") { bar(key, false); }
      else if (kind === "doughnut") { doughnut(key); }
      else if (kind === "line") { line(key); }
    });
  }

  // Canvas text does not re-render when a web font arrives, so wait for the Khmer and
  // Latin faces first (briefly: draw with fallback fonts rather than not at all).
  if (document.fonts && document.fonts.load) {
    var family = '"Noto Sans Khmer"';
    var loads = Promise.all([
      document.fonts.load("400 14px " + family, "ក A1"),
      document.fonts.load("700 14px " + family, "ក A1")
    ]);
    var timeout = new Promise(function (resolve) { window.setTimeout(resolve, 3000); });
    Promise.race([loads, timeout]).then(draw, draw);
  } else {
    draw();
  }
})();
