/* National dashboard charts.
 * Reads {"province": {"labels": [...], "values": [...]}, "actor_type": ..., "sector": ...,
 * "channel": ..., "month": ...} from <script id="chart-data" type="application/json">
 * (Django's json_script) and draws each into <canvas id="chart-KEY"> when that canvas is
 * on the page. Loaded as a plain file after vendor/chart.js/chart.umd.js: no inline
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
    var s = series(key);
    if (!s) { return; }
    // One row per label: 25 provinces need a tall chart on a phone to stay readable.
    var height = horizontal ? Math.max(18, s.labels.length * 1.75 + 3) + "rem" : null;
    var canvas = mount(key, height);
    if (!canvas) { return; }
    var valueAxis = { ticks: countTicks(), grid: { color: "#e5e6e7" } };
    var labelAxis = { grid: { display: false }, ticks: { autoSkip: false } };
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: s.labels,
        datasets: [{ data: s.values, backgroundColor: BLUE, borderRadius: 2, maxBarThickness: 28 }]
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        plugins: { legend: { display: false } },
        scales: horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis }
      }
    });
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
          tension: 0.25
        }]
      },
      options: {
        plugins: { legend: { display: false } },
        scales: { x: { grid: { display: false } }, y: { ticks: countTicks(), grid: { color: "#e5e6e7" } } }
      }
    });
  }

  function draw() {
    configureDefaults();
    bar("province", true);
    doughnut("actor_type");
    bar("sector", false);
    doughnut("channel");
    line("month");
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
