// Print buttons: <button data-action="print">. A file, not an onclick attribute, so that the
// Content-Security-Policy can forbid every inline script.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-action='print']");
  if (button) {
    event.preventDefault();
    window.print();
  }
});
