// The file picker's status line (partners.widgets.FilePicker): the chosen file's name,
// or the page's own "No file chosen", instead of the browser's words in its language.
(function () {
  "use strict";
  function show(input) {
    var status = document.getElementById(input.getAttribute("aria-describedby").split(" ").pop());
    if (!status) return;
    var names = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
    status.textContent = names.length ? names.join(", ") : status.getAttribute("data-empty");
  }
  function bind() {
    document.querySelectorAll("input.file-picker-input:not([data-bound])").forEach(function (input) {
      input.setAttribute("data-bound", "");
      input.addEventListener("change", function () { show(input); });
      show(input); // a file kept by the browser after going back
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", bind);
  else bind();
})();
