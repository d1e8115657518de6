// Text from the data, isolated for its direction: a <bdi> takes the direction of its first strong letter and
// keeps the text around it in its own, so an Arabic label in an English line cannot reorder that line.
window.sahelBdi = function (text) {
  const bdi = document.createElement("bdi");
  bdi.textContent = text;
  return bdi;
};
