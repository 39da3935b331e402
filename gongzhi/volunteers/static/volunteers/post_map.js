// Place an emergency post by clicking the map: the click fills the post form's hidden latitude
// and longitude (six decimals, WGS84) and moves one marker; nobody types coordinates.
// maps.js draws the map first (the area's compounds and the posts already placed).
(function () {
  function fixed(n) { return (Math.round(n * 1e6) / 1e6).toFixed(6); }
  function picker(el) {
    var map = el.gongzhiMap;
    var form = el.closest("form");
    if (!map || !form) return;
    var lat = form.querySelector("input[name=latitude]");
    var lng = form.querySelector("input[name=longitude]");
    var said = document.getElementById("post-point");
    var marker = null;
    function place(latlng) {
      lat.value = fixed(latlng.lat);
      lng.value = fixed(latlng.lng);
      if (marker) marker.setLatLng(latlng);
      else marker = L.circleMarker(latlng, { radius: 9, color: "#1f6feb", weight: 3, fillOpacity: 0.6 }).addTo(map);
      if (said) said.textContent = lat.value + ", " + lng.value;
      el.dataset.placed = "yes";
    }
    if (lat.value && lng.value) place(L.latLng(parseFloat(lat.value), parseFloat(lng.value)));
    map.on("click", function (e) { place(e.latlng); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-post-picker]").forEach(picker);
  });
})();
