// Fills the hidden lat/lng of the resident report from the phone's location, when the resident
// taps the button and allows it (WeChat's browser supports navigator.geolocation over HTTPS).
(function () {
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("locate");
    if (!button || !navigator.geolocation) { if (button) button.hidden = true; return; }
    button.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (pos) {
        document.getElementById("id_lat").value = pos.coords.latitude.toFixed(6);
        document.getElementById("id_lng").value = pos.coords.longitude.toFixed(6);
        button.textContent = button.dataset.done;
      });
    });
  });
})();
