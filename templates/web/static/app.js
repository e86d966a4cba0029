// xltasks serve: the little behaviour the pages need beyond htmx (no inline scripts: the CSP forbids them).
document.addEventListener("change", function (e) {
  if (e.target.matches("select[data-autosubmit]")) e.target.form.submit();
});
document.addEventListener("click", function (e) {
  var b = e.target.closest("[data-copy]");
  if (!b) return;
  navigator.clipboard && navigator.clipboard.writeText(b.getAttribute("data-copy"));
  b.textContent = "已复制";
});
document.documentElement.classList.add("js");
