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
document.documentElement.classList.add("js");
