// xltasks serve: the little behaviour the pages need beyond htmx (no inline scripts: the CSP forbids them).
document.addEventListener("change", function (e) {
  if (e.target.matches("select[data-autosubmit]")) e.target.form.submit();
  if (e.target.matches(".chooser input[type=file]")) {
    var names = Array.prototype.map.call(e.target.files, function (f) { return f.name; });
    e.target.parentNode.querySelector(".chosen").textContent = names.length ? names.join("、") : "尚未选择文件";
  }
});
document.addEventListener("click", function (e) {
  var b = e.target.closest("[data-copy]");
  if (!b) return;
  navigator.clipboard && navigator.clipboard.writeText(b.getAttribute("data-copy"));
  b.textContent = "已复制";
});
// an upload refused as a whole (no file chosen 400, too large 413, too many uploads 429) answers with the
// result fragment and its reason: show it where the result goes (htmx swaps only 2xx answers by default;
// a whole error page is left alone)
document.addEventListener("htmx:beforeSwap", function (e) {
  var fragment = !/^\s*<!doctype/i.test(e.detail.serverResponse || "");
  if ([400, 413, 429].indexOf(e.detail.xhr.status) >= 0 && e.detail.target.id === "result" && fragment) {
    e.detail.shouldSwap = true;
    e.detail.isError = false;
  }
});
document.documentElement.classList.add("js");
