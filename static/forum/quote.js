// Optional: when a reply starts with a quote, the caret goes after the quote the first time the box
// takes focus. Without this script the box still works; the quote already ends with a blank line.
(function () {
  var box = document.querySelector("textarea[data-caret='end']");
  if (!box) { return; }
  box.addEventListener("focus", function atEnd() {
    box.removeEventListener("focus", atEnd);
    var end = box.value.length;
    box.setSelectionRange(end, end);
    box.scrollTop = box.scrollHeight;
  });
}());
