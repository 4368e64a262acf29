"use strict";
// The web maps (Leaflet, vendored under /static/vendor/leaflet): the ward points of the district
// from our own unit table (/ui/wards.geojson), over a tile server only if the gateway has one
// (ANTT_MAP_TILES_URL, /ui/map.json). Nothing is fetched from anywhere but the gateway.
const STATUS_COLOUR = { working: "#1d6b2f", broken: "#8b0000" };

const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// The map in `box` with the ward centres around `options.unitCode` (default: the public form's city).
async function wardMap(box, options = {}) {
  const around = options.unitCode ? `?unit_code=${encodeURIComponent(options.unitCode)}` : "";
  const [config, wards] = await Promise.all([api("GET", "/ui/map.json"), api("GET", `/ui/wards.geojson${around}`)]);
  const map = L.map(box, { attributionControl: Boolean(config.tiles), scrollWheelZoom: options.scrollWheelZoom !== false });
  if (config.tiles) {
    // Leaflet puts the attribution in as HTML: the setting is plain text
    L.tileLayer(config.tiles.url, { attribution: escapeHtml(config.tiles.attribution || ""), maxZoom: 19 }).addTo(map);
  }
  const layer = L.geoJSON(wards, {
    pointToLayer: (feature, latlng) => L.circleMarker(latlng, {
      radius: 5, color: "#4a4a4a", weight: 1.5, fillColor: "#fff", fillOpacity: 1,
      className: `ward-pt ward-${feature.properties.code}` })
      .bindTooltip(el("span", { textContent: feature.properties.name }), { permanent: true, direction: "right", offset: [6, 0], className: "ward-label" }),
  }).addTo(map);
  map.fitBounds(layer.getBounds(), { padding: [12, 12] });
  L.control.scale({ imperial: false }).addTo(map);
  // ward names only once zoomed in enough for them not to pile up
  const labels = () => box.classList.toggle("map-far", map.getZoom() < 13);
  map.on("zoomend", labels);
  labels();
  return { map, wards: wards.features };
}

// The ward whose centre is nearest to a point (equirectangular, as services/common/units.py).
function nearestWard(wards, lat, lon) {
  const scale = Math.cos((lat * Math.PI) / 180);
  let best = null, bestD = Infinity;
  for (const w of wards) {
    const [wlon, wlat] = w.geometry.coordinates;
    const d = (wlat - lat) ** 2 + ((wlon - lon) * scale) ** 2;
    if (d < bestD) { best = w; bestD = d; }
  }
  return best;
}

const round6 = (x) => Math.round(x * 1e6) / 1e6;

// The public tip form's place: a tap (or the map's centre) sets the location sent with the
// tip and selects the nearest ward in the picker, which stays the alternative.
function placePicker() {
  const box = $("#map"), fieldset = box.closest("fieldset");
  const picked = { location: null };
  if (typeof L === "undefined") { fieldset.hidden = true; return picked; }
  const text = $("#place"), clear = $("#place-clear"), select = $("#ward");
  let marker = null;
  wardMap(box, { scrollWheelZoom: false }).then(({ map, wards }) => {
    function place(latlng) {
      picked.location = { lat: round6(latlng.lat), lon: round6(latlng.lng) };
      if (marker) marker.setLatLng(latlng);
      else marker = L.circleMarker(latlng, { radius: 9, color: "#fff", weight: 3, fillColor: "#8b0000", fillOpacity: 1,
        className: "place-pt", interactive: false }).addTo(map);
      const ward = nearestWard(wards, latlng.lat, latlng.lng);
      if (ward && [...select.options].some((o) => o.value === ward.properties.code)) select.value = ward.properties.code;
      text.textContent = `${T.place_set}: ${picked.location.lat}, ${picked.location.lon}` +
        (ward ? ` (${T.place_near} ${ward.properties.name})` : "");
      clear.hidden = false;
    }
    map.on("click", (e) => place(e.latlng));
    // the other way round: a ward chosen in the picker brings the map to it
    const follow = () => setTimeout(() => {
      const ward = wards.find((w) => w.properties.code === select.value);
      if (ward) map.setView([ward.geometry.coordinates[1], ward.geometry.coordinates[0]], Math.max(map.getZoom(), 14));
    });
    select.addEventListener("change", follow);
    $("#ward-search").addEventListener("input", follow);
    $("#place-centre").addEventListener("click", () => place(map.getCenter()));
    clear.addEventListener("click", () => {
      picked.location = null;
      if (marker) { marker.remove(); marker = null; }
      text.textContent = "";
      clear.hidden = true;
      $("#place-centre").focus();
    });
  }).catch(() => { fieldset.hidden = true; });
  return picked;
}
