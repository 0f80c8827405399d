// Reads the emailed link's token from the address's fragment (never sent to a server) into the
// form that confirms it.
const token = new URLSearchParams(location.hash.slice(1)).get("token");
const form = document.querySelector("form[data-token-form]");
if (form && token) {
  form.elements.namedItem("token").value = token;
}
