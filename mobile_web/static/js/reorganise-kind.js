// The reorganisation form shows only the fields of the chosen kind (merge,
// rename, split); without this script all three groups stay visible.
const kind = document.getElementById("kind");
if (kind) {
  const groups = document.querySelectorAll("fieldset[data-kind]");
  const show = () => {
    for (const group of groups) group.hidden = group.dataset.kind !== kind.value;
  };
  kind.addEventListener("change", show);
  show();
}
