// "Use my position": fills the latitude and longitude fields of a form with
// the device's position. A button `[data-use-position]` names the two fields
// by id (data-lat, data-lon) and an output for what happened (data-status).
for (const button of document.querySelectorAll("[data-use-position]")) {
  const lat = document.getElementById(button.dataset.lat);
  const lon = document.getElementById(button.dataset.lon);
  const status = document.getElementById(button.dataset.status);
  if (!("geolocation" in navigator) || !lat || !lon) {
    button.hidden = true;
    continue;
  }
  button.hidden = false;
  button.addEventListener("click", () => {
    status.textContent = button.dataset.waiting;
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(
      (position) => {
        lat.value = position.coords.latitude.toFixed(6);
        lon.value = position.coords.longitude.toFixed(6);
        status.textContent = button.dataset.done.replace("{m}", Math.round(position.coords.accuracy));
        button.disabled = false;
      },
      () => {
        status.textContent = button.dataset.failed;
        button.disabled = false;
      },
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 },
    );
  });
}
