// rules.js: checks a rule's fields as they are typed, with the browser's own constraint
// validation (required, min, max, step, pattern), and says what is wrong under the field, in the
// same place the server's message goes. textContent only (Trusted Types).
function message(input) {
  const v = input.validity;
  if (v.valid) return "";
  if (v.valueMissing) return "Fill this in.";
  if (v.badInput) return "Enter a number.";
  if (v.rangeUnderflow) return "Must be at least " + input.min + ".";
  if (v.rangeOverflow) return "Must be at most " + input.max + ".";
  if (v.stepMismatch) return "Enter a whole number.";
  if (v.patternMismatch) return "Use upper-case letters and digits only, such as USDT.";
  return input.validationMessage;
}

function check(input) {
  const out = document.getElementById(input.id + "-error");
  if (!out) return;
  const m = message(input);
  out.textContent = m;
  if (m) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

for (const form of document.querySelectorAll("form[data-validate]")) {
  form.addEventListener("input", (e) => { if (e.target instanceof HTMLInputElement && e.target.id) check(e.target); });
  form.addEventListener("invalid", (e) => { if (e.target instanceof HTMLInputElement && e.target.id) check(e.target); }, true);
}
