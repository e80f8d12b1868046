// maillage built-in map: plain JavaScript over MapLibre GL JS (vendored), no
// build step. Data come from this server only: vector tiles /tiles/... and
// the JSON/GeoJSON API /v1/... It works with no internet access.
'use strict';

(async function () {
  // Travel model of the API (matching.DefaultTravelModel): road distance is
  // the straight line × DETOUR, driven at SPEED_KMH.
  const SPEED_KMH = 60;
  const DETOUR = 1.3;
  const MIN_PER_M = DETOUR / 1000 / SPEED_KMH * 60;

  // Travel-time classes (minutes) and a colour-blind-safe sequential palette
  // (ColorBrewer YlGnBu: light = near, dark = far).
  const CLASSES = [
    { upTo: 10, label: '0 – 10 min', color: '#ffffcc' },
    { upTo: 20, label: '10 – 20 min', color: '#a1dab4' },
    { upTo: 30, label: '20 – 30 min', color: '#41b6c4' },
    { upTo: 45, label: '30 – 45 min', color: '#2c7fb8' },
    { upTo: Infinity, label: '> 45 min', color: '#253494' },
  ];
  // Capacity against need (GET /v1/access, issue 19): posts of the 2021
  // host structures within 30 minutes per 10,000 people in difficulty, as
  // a ratio to the national level (tile property access_ratio); a diverging
  // colour-blind-safe palette (ColorBrewer PuOr: orange = under-served,
  // purple = well served).
  const ACCESS_CLASSES = [
    { upTo: 0.25, label: 'moins d\u2019un quart', color: '#b35806' },
    { upTo: 0.5, label: '¼ à ½', color: '#f1a340' },
    { upTo: 1, label: '½ à 1', color: '#fee0b6' },
    { upTo: 2, label: '1 à 2', color: '#d8daeb' },
    { upTo: 4, label: '2 à 4', color: '#998ec3' },
    { upTo: Infinity, label: 'plus de 4', color: '#542788' },
  ];
  const NO_DATA = '#c9ccd1';
  const GAP_COLOR = '#e8590c';

  // Territories of the switcher: bounds [west, south, east, north].
  const TERRITORIES = {
    metropole: { name: 'Métropole', dep: '', bounds: [-5.3, 41.3, 9.7, 51.15] },
    971: { name: 'Guadeloupe', dep: '971', bounds: [-61.85, 15.82, -60.98, 16.53] },
    972: { name: 'Martinique', dep: '972', bounds: [-61.25, 14.38, -60.8, 14.9] },
    973: { name: 'Guyane', dep: '973', bounds: [-54.62, 2.1, -51.6, 5.8] },
    974: { name: 'La Réunion', dep: '974', bounds: [55.2, -21.4, 55.85, -20.86] },
    976: { name: 'Mayotte', dep: '976', bounds: [44.98, -13.03, 45.32, -12.63] },
  };

  // Room left around a territory for the tool bar (top) and the legend
  // (bottom); France still opens at zoom 5 in a 920 × 800 map.
  const VIEW_PADDING = { top: 50, bottom: 80, left: 16, right: 16 };

  const fmtInt = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 });
  const fmtPct = new Intl.NumberFormat('fr-FR', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const fmt1 = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 });
  const $ = (sel) => document.querySelector(sel);
  // A figure the API reports as null (no_data_reason: a territory without
  // boundaries) is "no data", never 0 %.
  const NO_DATA_TEXT = 'données non disponibles';
  const shareText = (v) => (typeof v === 'number' ? fmtPct.format(v) : NO_DATA_TEXT);
  const distanceText = (m) => (typeof m === 'number'
    ? fmt1.format(m / 1000) + ' km (' + fmtInt.format(m * MIN_PER_M) + ' min)' : NO_DATA_TEXT);

  const state = {
    layers: ['france-services'],
    minutes: 30,
    departement: '',
    territory: 'metropole',
    proposing: false,
    proposals: [], // {id, name, lon, lat, marker}
    commune: '', // code of the commune whose card is open
    recoMarkers: [],
    departements: {}, // code -> {nom, ...}
    colouring: 'minutes', // or 'access' (setColouring)
  };

  // Handle for the browser test and for curious users (read-only use).
  // onDepartement and onHash are called with the new département and the
  // parsed hash: the recruitment panel (recruit.js) follows them once
  // started (a promise) resolves, when the map exists.
  let started;
  const app = { state, firstDrawMs: null, firstIdleMs: null, ready: false, pending: 0, errors: [], onDepartement: [], onHash: [],
    started: new Promise((resolve) => { started = resolve; }) };
  window.maillage = app;

  // ---------- HTTP ----------

  function query(params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
      if (v !== '' && v !== undefined && v !== null) q.set(k, String(v));
    }
    const s = q.toString();
    return s ? '?' + s : '';
  }

  function reachParams(extra) {
    return Object.assign({ layers: state.layers.join(','), max_minutes: state.minutes }, extra || {});
  }

  // api fetches JSON; an error answer becomes an Error with the API message.
  async function api(path, options) {
    app.pending++;
    try {
      options = Object.assign({}, options);
      const token = sessionStorage.getItem('maillage.token');
      if (token) options.headers = Object.assign({ Authorization: 'Bearer ' + token }, options.headers);
      const r = await fetch(path, options);
      const body = await r.json().catch(() => null);
      if (!r.ok) {
        const msg = body && body.message ? body.message : r.status + ' ' + r.statusText;
        const err = new Error(msg);
        err.status = r.status;
        throw err;
      }
      return body;
    } finally {
      app.pending--;
    }
  }

  // Only the latest answer of each kind is shown, however they arrive.
  const latest = {};
  async function fresh(kind, fn) {
    const token = (latest[kind] = (latest[kind] || 0) + 1);
    const v = await fn();
    if (latest[kind] !== token) throw new Stale();
    return v;
  }
  class Stale extends Error {}

  function showStatus(msg, isError) {
    const el = $('#status');
    if (!msg) { el.hidden = true; return; }
    el.textContent = msg;
    el.className = 'status' + (isError ? ' error' : '');
    el.hidden = false;
  }

  function report(err) {
    if (err instanceof Stale) return;
    app.errors.push(String(err && err.message || err));
    showStatus('Erreur : ' + (err && err.message || err), true);
  }

  // ---------- map ----------

  // Distance of a commune to its nearest service point, metres: the
  // population-weighted mean of the tile (default layer), replaced by the
  // feature state "mean_m" when other layers count (see refreshCommuneStates);
  // the main town's distance when no inhabitant could be located.
  const distanceExpr = ['coalesce', ['feature-state', 'mean_m'], ['get', 'mean_distance_m'], ['get', 'nearest_distance_m']];
  const hasDistance = ['!=', ['typeof', distanceExpr], 'null'];
  const minutesExpr = ['*', ['to-number', distanceExpr, -1], MIN_PER_M];
  const classColor = ['step', minutesExpr, NO_DATA, 0];
  CLASSES.forEach((c, i) => {
    classColor.push(c.color);
    if (Number.isFinite(c.upTo)) classColor.push(c.upTo);
  });

  // over blends colour top at opacity a over the opaque colour under, as
  // the GPU blends a layer drawn over another (8-bit sRGB, no gamma).
  const BEYOND_OPACITY = 0.85;
  function over(top, a, under) {
    const ch = (hex, i) => parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16);
    return '#' + [0, 1, 2].map((i) => Math.round(a * ch(top, i) + (1 - a) * ch(under, i)).toString(16).padStart(2, '0')).join('');
  }
  const outColor = ['step', minutesExpr, over(GAP_COLOR, BEYOND_OPACITY, NO_DATA), 0];
  CLASSES.forEach((c) => {
    outColor.push(over(GAP_COLOR, BEYOND_OPACITY, c.color));
    if (Number.isFinite(c.upTo)) outColor.push(c.upTo);
  });

  const accessColor = ['step', ['to-number', ['get', 'access_ratio'], 0], ACCESS_CLASSES[0].color];
  ACCESS_CLASSES.forEach((c, i) => {
    if (i > 0) accessColor.push(ACCESS_CLASSES[i - 1].upTo, c.color);
  });
  const hasAccess = ['!=', ['typeof', ['get', 'access_ratio']], 'null'];

  function style() {
    return {
      version: 8,
      sources: {
        communes: { type: 'vector', tiles: [location.origin + '/tiles/communes/{z}/{x}/{y}.mvt'], minzoom: 0, maxzoom: 12, promoteId: 'code' },
        gaps: { type: 'geojson', data: { type: 'FeatureCollection', features: [] } },
        // départements and sites: overlays(), once the communes are drawn
      },
      layers: [
        // No background layer: the sea is the map container's colour (app.css
        // --sea) seen through the transparent canvas. A background layer's
        // shader program made MapLibre's first frame last seconds on a
        // software renderer, and that frame comes before the sources have
        // loaded: no tile was asked for until it ended (issue 15).
        {
          // opaque and without outline: the cheapest fill for ~35,000
          // polygons; below zoom 6 it also paints the communes beyond the
          // threshold in the gap colour (fillColor)
          id: 'communes-fill', type: 'fill', source: 'communes', 'source-layer': 'communes',
          paint: { 'fill-color': fillColor('minutes', 30), 'fill-antialias': false },
        },
        {
          // hatching from zoom 6: a national view shows the classes only, and
          // drawing the pattern over every commune costs as much as the fill
          id: 'communes-beyond', type: 'fill', source: 'communes', 'source-layer': 'communes', minzoom: 6,
          paint: { 'fill-pattern': 'hatch', 'fill-opacity': beyondOpacity(30) },
        },
        {
          id: 'communes-line', type: 'line', source: 'communes', 'source-layer': 'communes', minzoom: 7,
          paint: { 'line-color': 'rgba(60,70,90,0.25)', 'line-width': ['interpolate', ['linear'], ['zoom'], 7, 0.2, 11, 1] },
        },
        {
          id: 'communes-selected', type: 'line', source: 'communes', 'source-layer': 'communes',
          filter: ['==', ['get', 'code'], ''], paint: { 'line-color': '#c2255c', 'line-width': 3 },
        },
        {
          // no antialiased edge: the white casing drawn over it hides it, and
          // its shader program is one less to compile before the first render
          id: 'gaps-fill', type: 'fill', source: 'gaps',
          paint: { 'fill-color': GAP_COLOR, 'fill-opacity': ['interpolate', ['linear'], ['zoom'], 4, 0.95, 9, 0.45], 'fill-antialias': false },
        },
        {
          id: 'gaps-casing', type: 'line', source: 'gaps',
          paint: { 'line-color': '#fff', 'line-width': ['interpolate', ['linear'], ['zoom'], 4, 2.5, 10, 5], 'line-opacity': 0.9 },
        },
        {
          id: 'gaps-line', type: 'line', source: 'gaps',
          paint: { 'line-color': GAP_COLOR, 'line-width': ['interpolate', ['linear'], ['zoom'], 4, 1.2, 10, 2.6] },
        },
      ],
    };
  }

  // overlays are the sources and layers added once the communes are drawn
  // (addOverlays): département outlines under the gap zones, service
  // points on top. MapLibre's one worker (two cores) read their tiles
  // before the last communes tiles and the page compiled their shader
  // programs before the first render (issue 15). extra are the dots of
  // the service layers without a symbol of their own (buildLayerChecks),
  // drawn under France Services.
  function overlays(extra) {
    return {
      sources: {
        departements: { type: 'vector', tiles: [location.origin + '/tiles/departements/{z}/{x}/{y}.mvt'], minzoom: 0, maxzoom: 12 },
        sites: { type: 'vector', tiles: [location.origin + '/tiles/sites/{z}/{x}/{y}.mvt'], minzoom: 0, maxzoom: 12 },
      },
      departements: [
        {
          id: 'departements-line', type: 'line', source: 'departements', 'source-layer': 'departements',
          paint: { 'line-color': '#3a3f4b', 'line-width': ['interpolate', ['linear'], ['zoom'], 4, 0.4, 8, 1.4], 'line-opacity': 0.8 },
        },
        {
          id: 'departement-selected', type: 'line', source: 'departements', 'source-layer': 'departements',
          filter: ['==', ['get', 'code'], state.departement || ''], paint: { 'line-color': '#000', 'line-width': 3 },
        },
      ],
      sites: [
        {
          id: 'sites-fs2020', type: 'circle', source: 'sites', 'source-layer': 'sites', filter: ['==', ['get', 'layer'], 'france-services-2020'],
          layout: { visibility: 'none' },
          paint: {
            'circle-radius': ['interpolate', ['linear'], ['zoom'], 4, 0.8, 7, 2.2, 10, 5], 'circle-color': '#fff',
            'circle-stroke-color': '#777', 'circle-stroke-width': ['interpolate', ['linear'], ['zoom'], 4, 0.5, 7, 1.1, 10, 2],
          },
        },
        {
          id: 'sites-cnfs', type: 'symbol', source: 'sites', 'source-layer': 'sites', filter: ['==', ['get', 'layer'], 'cnfs-permanences'],
          layout: {
            visibility: 'none', 'icon-image': 'diamond', 'icon-allow-overlap': true, 'icon-ignore-placement': true,
            'icon-size': ['interpolate', ['linear'], ['zoom'], 4, 0.18, 7, 0.4, 10, 0.8],
          },
        },
        ...extra,
        {
          id: 'sites-fs', type: 'circle', source: 'sites', 'source-layer': 'sites', filter: ['==', ['get', 'layer'], 'france-services'],
          // small and faint on the national view (2,845 rings would hide the
          // gaps), full symbols from the département zoom (8)
          paint: {
            'circle-radius': ['interpolate', ['linear'], ['zoom'], 4, 0.8, 6, 1.2, 8, 3.2, 10, 6], 'circle-color': '#fff',
            'circle-opacity': ['interpolate', ['linear'], ['zoom'], 5, 0.35, 8, 1],
            'circle-stroke-color': '#111', 'circle-stroke-width': ['interpolate', ['linear'], ['zoom'], 4, 0.4, 8, 1.4, 10, 2.5],
            'circle-stroke-opacity': ['interpolate', ['linear'], ['zoom'], 5, 0.3, 8, 1],
          },
        },
      ],
    };
  }

  // fillColor is the communes' colour: by capacity against need
  // ('access'), or by travel time ('minutes'), where the national view
  // (below zoom 6, where the hatching starts) paints the communes farther
  // than minutes in the gap colour, the strongest of the map. That colour
  // is the gap colour at BEYOND_OPACITY over the class colour, the very
  // pixels a second fill layer drawn over the first gave (issue 15: that
  // layer was a second pass of the software rasteriser over every commune,
  // 15 % of the page's processor time at its first render).
  function fillColor(mode, minutes) {
    if (mode === 'access') return ['case', hasAccess, accessColor, NO_DATA];
    const travel = ['case', hasDistance, classColor, NO_DATA];
    const beyond = ['case', ['all', hasDistance, ['>', minutesExpr, minutes]], outColor, travel];
    return ['step', ['zoom'], beyond, 6, travel];
  }

  // beyondOpacity shows the hatching on communes farther than minutes.
  function beyondOpacity(minutes) {
    return ['case', ['all', hasDistance, ['>', minutesExpr, minutes]], BEYOND_OPACITY, 0];
  }

  // Images drawn here so that no sprite file is needed.
  function hatchImage() {
    const n = 8;
    const c = document.createElement('canvas');
    c.width = c.height = n;
    const g = c.getContext('2d');
    g.strokeStyle = 'rgba(20,20,40,0.55)';
    g.lineWidth = 1.6;
    g.beginPath();
    for (let o = -n; o <= n; o += n) { g.moveTo(o, n); g.lineTo(o + n, 0); }
    g.stroke();
    return g.getImageData(0, 0, n, n);
  }

  function diamondImage() {
    const n = 24;
    const c = document.createElement('canvas');
    c.width = c.height = n;
    const g = c.getContext('2d');
    g.beginPath();
    g.moveTo(n / 2, 1); g.lineTo(n - 1, n / 2); g.lineTo(n / 2, n - 1); g.lineTo(1, n / 2); g.closePath();
    g.fillStyle = '#d6336c'; g.fill();
    g.lineWidth = 2.5; g.strokeStyle = '#fff'; g.stroke();
    return g.getImageData(0, 0, n, n);
  }

  // workerUp starts MapLibre's worker and resolves when it has answered (it
  // imports an empty script) or after WORKER_WAIT_MS: the browser's answer
  // that starts the worker's thread comes within a few milliseconds, and
  // the worker then loads its code while the WebGL context is made.
  const WORKER_WAIT_MS = 50;
  function workerUp() {
    maplibregl.prewarm();
    const url = URL.createObjectURL(new Blob([''], { type: 'text/javascript' }));
    const answered = maplibregl.importScriptInWorkers(url).catch(() => {});
    const late = new Promise((resolve) => setTimeout(resolve, WORKER_WAIT_MS));
    return Promise.race([answered, late]).finally(() => URL.revokeObjectURL(url));
  }

  app.scriptMs = Math.round(performance.now()); // app.js starts (MapLibre parsed)

  // MapLibre reads the tiles in a worker, and the browser starts a worker's
  // thread only once this page's main thread takes its answer; creating the
  // WebGL context and drawing the first frame hold the main thread for
  // seconds on a software renderer, so a worker merely asked for before them
  // began after them and the tiles waited (issue 15, BENCHMARKS.md). The
  // main thread is let go a moment first.
  await workerUp();
  const map = new maplibregl.Map({
    container: 'map',
    style: style(),
    bounds: TERRITORIES.metropole.bounds,
    fitBoundsOptions: { padding: VIEW_PADDING },
    maxZoom: 14,
    minZoom: 3,
    renderWorldCopies: false,
    fadeDuration: 0, // no symbol fade: the map is idle as soon as it is drawn
    dragRotate: false,
    pitchWithRotate: false,
    attributionControl: { compact: true, customAttribution: 'IGN · INSEE · ANCT — Licence Ouverte' },
  });
  app.map = map;
  map.touchZoomRotate.disableRotation();
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-right');
  map.on('styleimagemissing', (e) => {
    if (e.id === 'hatch' && !map.hasImage('hatch')) map.addImage('hatch', hatchImage());
    if (e.id === 'diamond' && !map.hasImage('diamond')) map.addImage('diamond', diamondImage(), { pixelRatio: 2 });
  });
  // Times since navigation start. firstDrawMs: the first frame drawn once
  // every communes tile of the view has loaded (the communes coloured, the
  // map as the user reads it; overlays and the API's gap zones may follow).
  // firstIdleMs: the first idle (every source's tiles loaded and drawn,
  // nothing moving).
  let communesDrawnNow;
  const communesFirstDrawn = new Promise((resolve) => { communesDrawnNow = resolve; });
  const communesDrawn = (e) => {
    if (e.sourceId !== 'communes' || !e.tile || !map.isSourceLoaded('communes')) return;
    map.off('sourcedata', communesDrawn);
    map.once('render', () => {
      app.firstDrawMs = Math.round(performance.now());
      addOverlays();
      communesDrawnNow();
    });
  };
  map.on('sourcedata', communesDrawn);
  // What waits for the communes: the overlays, the gap zones (geojson-vt
  // tiles them in the same worker). A map whose communes never load (an
  // error) gets them at its first idle.
  let overlaysOn = false;
  const extraSites = []; // style layers of buildLayerChecks, until the overlays are added
  function addOverlays() {
    if (overlaysOn) return;
    overlaysOn = true;
    const o = overlays(extraSites);
    for (const [id, src] of Object.entries(o.sources)) map.addSource(id, src);
    for (const l of o.departements) map.addLayer(l, 'gaps-fill');
    const top = map.getLayer('recruit-ring') ? 'recruit-ring' : undefined; // recruit.js's layers stay on top
    for (const l of o.sites) map.addLayer(l, top);
    refreshSites();
  }
  map.once('idle', () => { addOverlays(); communesDrawnNow(); });
  map.once('idle', () => {
    app.firstIdleMs = Math.round(performance.now());
    app.ready = true;
  });
  map.on('error', (e) => report(e.error || e));

  // ---------- legend ----------

  function drawLegend() {
    for (const [sel, classes] of [['#legend-classes', CLASSES], ['#legend-access', ACCESS_CLASSES]]) {
      const ul = $(sel); // after its title
      for (const c of classes) {
        const li = document.createElement('li');
        const sw = document.createElement('span');
        sw.className = 'swatch';
        sw.style.background = c.color;
        li.append(sw, ' ' + c.label);
        ul.append(li);
      }
    }
  }

  // setColouring colours the communes by travel time ('minutes') or by
  // capacity against need ('access'), with the matching legend.
  function setColouring(mode) {
    state.colouring = mode;
    const access = mode === 'access';
    map.setPaintProperty('communes-fill', 'fill-color', fillColor(mode, state.minutes)); // the gap colour is travel time's
    map.setLayoutProperty('communes-beyond', 'visibility', access ? 'none' : 'visible');
    $('#legend-classes').hidden = access;
    $('#legend-access').hidden = !access;
  }

  // showThreshold marks the communes beyond state.minutes (gap colour on
  // the national view, hatching closer in).
  function showThreshold() {
    map.setPaintProperty('communes-beyond', 'fill-opacity', beyondOpacity(state.minutes));
    map.setPaintProperty('communes-fill', 'fill-color', fillColor(state.colouring, state.minutes));
  }

  // ---------- data refreshes ----------

  function scopeName() {
    if (!state.departement) return 'France entière';
    const d = state.departements[state.departement];
    return d ? d.nom + ' (' + state.departement + ')' : state.departement;
  }

  // headline states the view's finding, from the API's figures only:
  // "99,8 % à moins de 30 min — 13 zones blanches, 119 841 hab.".
  function headline(cv) {
    const s = cv.summary;
    const where = state.departement ? scopeName() + ' : ' : '';
    if (typeof s.covered_share !== 'number') return where + NO_DATA_TEXT;
    const zones = cv.gap_zones === 1 ? '1 zone blanche' : fmtInt.format(cv.gap_zones) + ' zones blanches';
    return where + shareText(s.covered_share) + ' à moins de ' + state.minutes + ' min — ' + zones + ', ' +
      fmtInt.format(s.uncovered_population) + ' hab.';
  }

  async function refreshCoverage() {
    $('#stat-scope').textContent = scopeName();
    try {
      const cv = await fresh('coverage', () => api('/v1/coverage' + query(reachParams({ departement: state.departement }))));
      const s = cv.summary;
      $('#stat-share').textContent = shareText(s.covered_share);
      $('#stat-uncovered').textContent = fmtInt.format(s.uncovered_population) + ' hab.';
      $('#stat-gaps').textContent = fmtInt.format(cv.gap_zones);
      $('#headline').textContent = headline(cv);
      app.coverage = cv;
    } catch (err) { report(err); }
  }

  // refreshFigures shows the share and the uncovered population at once
  // while the slider moves: /v1/coverage/figures answers any threshold from
  // the population profile in microseconds; the full answer (gap zones)
  // follows, debounced, and supersedes it (same freshness kind).
  async function refreshFigures() {
    try {
      const f = await fresh('coverage', () => api('/v1/coverage/figures' + query(reachParams({ departement: state.departement }))));
      $('#stat-share').textContent = shareText(f.summary.covered_share);
      $('#stat-uncovered').textContent = fmtInt.format(f.summary.uncovered_population) + ' hab.';
    } catch (err) { report(err); }
  }

  // refreshSites shows the symbols of the layers that count (the tiles
  // hold every layer: nothing is fetched).
  // SITE_LAYERS maps each service layer to its map style layer: the
  // shipped layers have their own symbols, the others (declared in a layers
  // file or uploaded) get a dot of a colour of OTHER_COLOURS
  // (buildLayerChecks fills it from the API).
  const SHIPPED_SYMBOLS = {
    'france-services': { style: 'sites-fs', sym: 'sym-fs' },
    'cnfs-permanences': { style: 'sites-cnfs', sym: 'sym-cnfs' },
    'france-services-2020': { style: 'sites-fs2020', sym: 'sym-fs2020' },
  };
  const OTHER_COLOURS = ['#1c7ed6', '#f08c00', '#2f9e44', '#ae3ec9', '#0c8599', '#e03131', '#5c940d', '#862e9c'];
  const SITE_LAYERS = {};
  function refreshSites() {
    if (!overlaysOn) return; // addOverlays calls it
    for (const [name, id] of Object.entries(SITE_LAYERS)) {
      map.setLayoutProperty(id, 'visibility', state.layers.includes(name) ? 'visible' : 'none');
    }
  }

  // buildLayerChecks makes one checkbox per service layer in service, with
  // its title and vintage, and a style layer for those without a symbol of
  // their own; without the list (the API down), the default layer alone.
  async function buildLayerChecks() {
    let items = [{ name: DEFAULT_LAYERS, title: 'France Services', vintage: '' }];
    try {
      const list = await api('/v1/layers' + query({ kind: 'service' }));
      items = list.items.filter((l) => l.kind === 'service' && l.name !== 'sites' && l.count !== null);
      // the shipped layers first, in their order, then the others by name
      const rank = (n) => { const i = Object.keys(SHIPPED_SYMBOLS).indexOf(n); return i < 0 ? 99 : i; };
      items.sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
    } catch (err) { report(err); }
    const box = $('#layer-checks');
    box.replaceChildren();
    let other = 0;
    for (const l of items) {
      let known = SHIPPED_SYMBOLS[l.name];
      if (!known) {
        const colour = OTHER_COLOURS[other++ % OTHER_COLOURS.length];
        known = { style: 'sites-x-' + l.name, sym: 'sym-other', colour };
        const spec = {
          id: known.style, type: 'circle', source: 'sites', 'source-layer': 'sites', filter: ['==', ['get', 'layer'], l.name],
          layout: { visibility: 'none' },
          paint: {
            'circle-radius': ['interpolate', ['linear'], ['zoom'], 4, 1.2, 7, 2.6, 10, 5.5], 'circle-color': colour,
            'circle-stroke-color': '#fff', 'circle-stroke-width': ['interpolate', ['linear'], ['zoom'], 4, 0.3, 8, 1.2],
          },
        };
        if (!overlaysOn) { if (!extraSites.some((x) => x.id === spec.id)) extraSites.push(spec); } else if (!map.getLayer(spec.id)) map.addLayer(spec, 'sites-fs');
      }
      SITE_LAYERS[l.name] = known.style;
      const label = document.createElement('label');
      label.className = 'check';
      const cb = document.createElement('input');
      Object.assign(cb, { type: 'checkbox', name: 'layer', value: l.name, checked: state.layers.includes(l.name) });
      const sym = document.createElement('span');
      sym.className = 'sym ' + known.sym;
      sym.setAttribute('aria-hidden', 'true');
      if (known.colour) sym.style.background = known.colour;
      // A layer declared without a title has the API's English stand-in
      // "Service points: <name>": the name alone reads better here.
      const title = l.title && !l.title.startsWith('Service points: ') ? l.title : l.name;
      label.append(cb, sym, ' ' + title + (l.vintage ? ' (' + l.vintage + ')' : ''));
      box.append(label);
    }
    app.layerChecks = items.map((l) => l.name);
  }

  async function refreshGaps() {
    try {
      const fc = await fresh('gaps', () => api('/v1/coverage/gaps' + query(reachParams({ departement: state.departement, limit: 2000 }))));
      await communesFirstDrawn; // the worker tiles them: after the communes' tiles
      map.getSource('gaps').setData(fc);
      app.gaps = fc;
      if (state.departement) drawGapsTable(fc);
    } catch (err) { report(err); }
  }

  async function refreshMairies() {
    const params = reachParams({ departement: state.departement });
    $('#mairies-csv').href = '/v1/coverage/rural-mairies' + query(Object.assign({ format: 'csv' }, params));
    try {
      const r = await fresh('mairies', () => api('/v1/coverage/rural-mairies' + query(params)));
      drawMairiesTable(r);
      app.mairies = r;
    } catch (err) { report(err); }
  }

  // The tiles carry the coverage of the default layer. When other layers
  // count, every commune's distance comes from the CSV of the coverage API
  // and is set as feature state: the colours follow without new tiles.
  const DEFAULT_LAYERS = 'france-services';
  let statesCustom = false;
  async function refreshCommuneStates() {
    const key = state.layers.join(',');
    if (key === DEFAULT_LAYERS) {
      if (statesCustom) map.removeFeatureState({ source: 'communes', sourceLayer: 'communes' });
      statesCustom = false;
      return;
    }
    try {
      const text = await fresh('states', async () => {
        app.pending++;
        try {
          const r = await fetch('/v1/coverage/communes' + query({ format: 'csv', layers: key }));
          if (!r.ok) throw new Error('communes CSV: ' + r.status);
          return await r.text();
        } finally { app.pending--; }
      });
      const lines = text.split('\n');
      const head = csvRow(lines[0]);
      const col = (n) => head.indexOf(n);
      const iCode = col('code'), iMean = col('mean_distance_m'), iNear = col('nearest_distance_m');
      const iPop = col('population'), iUnloc = col('population_unlocated');
      for (let i = 1; i < lines.length; i++) {
        if (!lines[i]) continue;
        const r = csvRow(lines[i]);
        const located = +r[iPop] === 0 || +r[iUnloc] < +r[iPop];
        const d = located && +r[iPop] > 0 ? +r[iMean] : +r[iNear];
        map.setFeatureState({ source: 'communes', sourceLayer: 'communes', id: r[iCode] }, { mean_m: d });
      }
      statesCustom = true;
    } catch (err) { report(err); }
  }

  // csvRow splits one CSV line (RFC 4180 quotes, no line breaks in fields).
  function csvRow(line) {
    const out = [];
    let cur = '', q = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (q) {
        if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (ch === '"') q = false; else cur += ch;
      } else if (ch === '"') q = true;
      else if (ch === ',') { out.push(cur); cur = ''; } else if (ch !== '\r') cur += ch;
    }
    out.push(cur);
    return out;
  }

  let refreshTimer = 0;
  function refreshAll(delay) {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => {
      showThreshold();
      refreshCoverage();
      refreshGaps();
      if (state.departement) { refreshMairies(); refreshDeptSummary(); }
    }, delay || 0);
  }

  // ---------- département ----------

  async function loadDepartements() {
    try {
      const r = await api('/v1/coverage/departements' + query({ layers: state.layers.join(',') }));
      const sel = $('#departement');
      const items = r.items.slice().sort((a, b) => a.code.localeCompare(b.code, 'fr', { numeric: true }));
      for (const d of items) {
        state.departements[d.code] = d;
        const o = document.createElement('option');
        o.value = d.code;
        o.textContent = d.code + ' – ' + d.nom;
        sel.append(o);
      }
      sel.value = state.departement; // a view restored from the URL before the list came
    } catch (err) { report(err); }
  }

  // belongsTo reports whether a commune code lies in département dep ("":
  // France, every commune).
  const belongsTo = (commune, dep) => !dep || String(commune).startsWith(dep);

  // closeForeignCards closes what belongs to another scope than dep: the
  // commune card of a commune elsewhere, the proposals and their verdict
  // (placed for the previous view), the recommendations.
  function closeForeignCards(dep) {
    clearRecommendations();
    const c = $('#commune');
    if (!c.hidden && c.dataset.code && !belongsTo(c.dataset.code, dep)) {
      c.hidden = true;
      delete c.dataset.code;
      state.commune = '';
      highlightCommune('');
    }
    // A proposal stays when it lies in the new scope (its département is
    // known once evaluated); the verdict card follows its proposal.
    const keep = (p) => dep === '' ? p.departement !== undefined && state.territory === 'metropole' && !/^97/.test(p.departement)
      : p.departement === dep;
    for (const p of state.proposals) if (!keep(p)) p.marker.remove();
    state.proposals = state.proposals.filter(keep);
    const v = $('#verdict');
    if (!v.hidden && !state.proposals.some((p) => p.id === v.dataset.proposal)) v.hidden = true;
  }

  async function selectDepartement(code) {
    const changed = code !== state.departement;
    state.departement = code;
    if (changed) closeForeignCards(code); else clearRecommendations(); // they were for the previous scope
    writeHash();
    $('#departement').value = code;
    if (overlaysOn) map.setFilter('departement-selected', ['==', ['get', 'code'], code || '']); // else addOverlays reads state
    $('#dept').hidden = !code;
    $('#h-dept').textContent = code ? scopeName() : 'Département';
    refreshAll();
    for (const f of app.onDepartement) f(code);
    if (!code) return;
    refreshMairies();
    refreshDeptSummary();
    try {
      const b = await fresh('bounds', () => departementBounds(code));
      if (b) map.fitBounds(b, { padding: VIEW_PADDING, duration: 0 });
    } catch (err) { report(err); }
  }

  // departementBounds returns [w, s, e, n] of a département from its
  // communes' coverage GeoJSON (no separate boundaries call needed).
  async function departementBounds(code) {
    const t = Object.values(TERRITORIES).find((x) => x.dep === code);
    if (t) return t.bounds;
    const fc = await api('/v1/coverage/communes' + query({ departement: code, layers: state.layers.join(',') }));
    let w = 180, s = 90, e = -180, n = -90;
    const visit = (c) => {
      if (typeof c[0] === 'number') {
        w = Math.min(w, c[0]); e = Math.max(e, c[0]); s = Math.min(s, c[1]); n = Math.max(n, c[1]);
      } else c.forEach(visit);
    };
    for (const f of fc.features) if (f.geometry) visit(f.geometry.coordinates);
    return w <= e ? [w, s, e, n] : null;
  }

  async function refreshDeptSummary() {
    const code = state.departement;
    try {
      const cv = await fresh('dept', () => api('/v1/coverage' + query(reachParams({ departement: code }))));
      const s = cv.summary;
      const el = $('#dept-summary');
      el.textContent = '';
      el.append(kv([
        ['Population', fmtInt.format(s.population) + ' hab.'],
        ['Couverte à ' + state.minutes + ' min', shareText(s.covered_share)],
        ['Non couverte', fmtInt.format(s.uncovered_population) + ' hab.'],
        ['Distance moyenne', distanceText(s.mean_distance_m)],
        ['Communes non couvertes', fmtInt.format(s.communes_uncovered) + ' / ' + fmtInt.format(s.communes)],
        ['Zones blanches', fmtInt.format(cv.gap_zones)],
        ['Mairies rurales en zone blanche', fmtInt.format(cv.rural_mairies)],
      ]));
    } catch (err) { report(err); }
  }

  function drawGapsTable(fc) {
    const tb = $('#gaps-table tbody');
    tb.textContent = '';
    if (!fc.features.length) {
      tb.append(row(['Aucune zone blanche à ce seuil.'], 5));
      return;
    }
    for (const f of fc.features.slice(0, 20)) {
      const p = f.properties;
      const tr = row([p.rank, fmtInt.format(p.population), fmtInt.format(p.area_km2) + ' km²',
        fmtInt.format(p.max_distance_m * MIN_PER_M) + ' min', fmtInt.format(p.communes.length)]);
      tr.title = 'Centrer la carte sur la zone ' + p.rank;
      tr.dataset.gap = p.id;
      tr.addEventListener('click', () => map.fitBounds(p.bbox, { padding: 60, maxZoom: 11, duration: 0 }));
      tb.append(tr);
    }
  }

  function drawMairiesTable(r) {
    const tb = $('#mairies-table tbody');
    tb.textContent = '';
    if (!r.items.length) {
      tb.append(row(['Aucune mairie rurale en zone blanche à ce seuil.'], 3));
      return;
    }
    for (const m of r.items.slice(0, 50)) {
      const coarse = m.spread === 'uniform-coarse' ? ' *' : '';
      const tr = row([m.nom + coarse, fmtInt.format(m.population),
        fmt1.format(m.nearest_distance_m / 1000) + ' km · ' + fmtInt.format(m.nearest_distance_m * MIN_PER_M) + ' min']);
      tr.title = (m.nearest_site_name || '') + (coarse ? ' — * population répartie uniformément sur plus de 500 km² : estimation grossière' : '');
      tr.addEventListener('click', () => showCommune(m.code));
      tb.append(tr);
    }
    if (r.total > 50) tb.append(row(['… et ' + (r.total - 50) + ' autres (voir le CSV)'], 3));
  }

  function row(cells, span) {
    const tr = document.createElement('tr');
    for (const c of cells) {
      const td = document.createElement('td');
      td.textContent = c;
      if (span) td.colSpan = span;
      tr.append(td);
    }
    return tr;
  }

  function kv(pairs) {
    const dl = document.createElement('dl');
    dl.className = 'kv';
    for (const [k, v] of pairs) {
      const dt = document.createElement('dt');
      dt.textContent = k;
      const dd = document.createElement('dd');
      dd.textContent = v;
      dl.append(dt, dd);
    }
    return dl;
  }

  // Cards dock in the panel on narrow screens, where floating over the map
  // they would hide half of it and the recommended sites.
  const narrow = window.matchMedia('(max-width: 1100px)');
  function dockCards() {
    const cards = $('#cards');
    cards.classList.toggle('docked', narrow.matches);
    const home = narrow.matches ? $('#panel') : document.body;
    if (cards.parentElement !== home) {
      if (narrow.matches) $('#panel header').after(cards); else home.append(cards);
    }
  }

  function card(el, title, body) {
    el.textContent = '';
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'close';
    close.setAttribute('aria-label', 'Fermer');
    close.textContent = '×';
    close.addEventListener('click', () => {
      el.hidden = true;
      if (el.id === 'commune') { highlightCommune(''); state.commune = ''; writeHash(); }
    });
    const h = document.createElement('h3');
    h.textContent = title;
    el.append(close, h);
    if (body) el.append(body);
    el.hidden = false;
  }

  // ---------- commune panel ----------

  function highlightCommune(code) {
    map.setFilter('communes-selected', ['==', ['get', 'code'], code]);
  }

  async function showCommune(code, tileProps) {
    highlightCommune(code);
    const el = $('#commune');
    try {
      const c = await fresh('commune', () => api('/v1/communes/' + encodeURIComponent(code) + query({ layers: state.layers.join(',') })));
      const props = Object.assign({}, tileProps || {}, c);
      const pairs = [
        ['Code INSEE', c.code],
        ['Population', fmtInt.format(c.population) + ' hab.'],
      ];
      if (c.nearest_site) {
        const n = c.nearest_site;
        pairs.push(['Site le plus proche', n.name]);
        pairs.push(['Distance', fmt1.format(n.distance_m / 1000) + ' km à vol d\'oiseau']);
        pairs.push(['Temps estimé', fmtInt.format(n.distance_m * MIN_PER_M) + ' min']);
      } else {
        pairs.push(['Site le plus proche', 'aucun']);
      }
      pairs.push(['Indice de fragilité numérique', fragilityText(props)]);
      if (typeof c.population_in_difficulty === 'number') {
        pairs.push(['Personnes en difficulté numérique (estimation)', fmtInt.format(c.population_in_difficulty)]);
      }
      pairs.push(['Zone de revitalisation rurale', zrrText(props)]);
      if (c.spread === 'uniform-coarse') {
        // Without population grid, a commune of more than 500 km² has its
        // inhabitants spread evenly over its area: not measured.
        pairs.push(['Population placée', 'uniformément sur ' + fmtInt.format(c.area_km2) + ' km² (estimation grossière)']);
      }
      card(el, c.nom, kv(pairs));
      el.dataset.code = c.code;
      state.commune = c.code;
      writeHash();
      app.commune = c;
    } catch (err) { report(err); }
  }

  function fragilityText(p) {
    const v = p.fragility !== undefined ? p.fragility : p.fragility_index;
    const x = v && typeof v === 'object' ? v.total : v;
    return typeof x === 'number' ? fmt1.format(x) + ' / 10' : 'non renseigné';
  }

  function zrrText(p) {
    const z = p.zrr !== undefined ? p.zrr : p.zrr_class;
    const labels = { C: 'classée', P: 'partiellement classée', NC: 'non classée' };
    if (z === undefined || z === null || z === '') return 'non renseigné';
    return labels[z] || String(z);
  }

  // ---------- proposals ----------

  function setProposing(on) {
    state.proposing = on;
    $('#propose').setAttribute('aria-pressed', String(on));
    $('#mode-hint').hidden = !on;
    document.body.classList.toggle('proposing', on);
  }

  async function propose(lngLat) {
    const n = state.proposals.length + 1;
    const p = { id: 'p' + n, name: 'Proposition ' + n, lon: +lngLat.lng.toFixed(6), lat: +lngLat.lat.toFixed(6), posts: 1 };
    const el = document.createElement('div');
    el.className = 'marker-prop';
    el.title = p.name;
    p.marker = new maplibregl.Marker({ element: el }).setLngLat([p.lon, p.lat]).addTo(map);
    state.proposals.push(p);
    const verdict = $('#verdict');
    try {
      const body = [{ id: p.id, name: p.name, lon: p.lon, lat: p.lat, posts: p.posts }];
      const r = await api('/v1/proposals/evaluate' + query(reachParams()), {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
      });
      showVerdict(verdict, p, r);
    } catch (err) {
      if (err.status === 401 || err.status === 403) askToken(verdict, err, () => { p.marker.remove(); state.proposals.pop(); propose(lngLat); });
      else report(err);
    }
  }

  // askToken asks for the bearer token that the server requires for
  // proposals (maillage serve --tokens), keeps it for the tab, and retries.
  function askToken(el, err, retry) {
    const form = document.createElement('form');
    const p = document.createElement('p');
    p.className = 'note';
    p.textContent = 'Ce serveur demande un jeton d\'accès pour évaluer une proposition (' + err.message + ').';
    const input = document.createElement('input');
    input.type = 'password';
    input.placeholder = 'Jeton d\'accès';
    input.autocomplete = 'off';
    const ok = document.createElement('button');
    ok.type = 'submit';
    ok.textContent = 'Valider';
    form.append(p, input, ' ', ok);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (input.value) sessionStorage.setItem('maillage.token', input.value.trim());
      retry();
    });
    card(el, 'Accès restreint', form);
    input.focus();
  }

  const VERDICTS = {
    fills_gap: 'comble une zone blanche',
    extends: 'étend la couverture',
    redundant: 'redondant',
  };

  function showVerdict(el, p, r) {
    const v = (r.proposals || []).find((x) => x.id === p.id) || (r.proposals || [])[0] || {};
    const label = v.label || '';
    const body = document.createElement('div');
    const tag = document.createElement('span');
    tag.className = 'verdict-label verdict-' + label;
    tag.textContent = VERDICTS[label] || label || 'sans verdict';
    body.append(tag);
    const pairs = [['Population gagnée', fmtInt.format(v.gain_population || 0) + ' hab.']];
    if (v.communes && v.communes.length) {
      pairs.push(['Communes gagnantes', v.communes.slice(0, 3).map((c) => c.nom + ' (+' + fmtInt.format(c.gain_population) + ')').join(', ') +
        (v.communes.length > 3 ? '…' : '')]);
    }
    if (v.nearest_existing_m >= 0) {
      pairs.push(['Point existant le plus proche', fmt1.format(v.nearest_existing_m / 1000) + ' km · ' +
        fmtInt.format(v.nearest_existing_m * MIN_PER_M) + ' min']);
    }
    if (v.nearest_france_services_name) {
      pairs.push(['France Services la plus proche', v.nearest_france_services_name + ' (' + fmt1.format(v.nearest_france_services_m / 1000) + ' km)']);
    }
    pairs.push(['Commune', v.commune ? (v.commune + (v.departement ? ' · dép. ' + v.departement : '')) : '—']);
    body.append(kv(pairs));
    card(el, p.name + ' (' + p.lat.toFixed(4) + ', ' + p.lon.toFixed(4) + ')', body);
    el.dataset.label = label;
    el.dataset.proposal = p.id;
    p.departement = v.departement || '';
    app.verdict = v;
  }

  // ---------- recommendations ----------

  function clearRecommendations() {
    for (const m of state.recoMarkers) m.remove();
    state.recoMarkers = [];
    $('#recos').hidden = true;
  }

  async function recommend() {
    clearRecommendations();
    const el = $('#recos');
    const k = Math.max(1, Math.min(50, parseInt($('#k').value, 10) || 5));
    try {
      const r = await api('/v1/recommendations' + query(reachParams({ departement: state.departement, k, format: 'json' })));
      const picks = r.picks || [];
      const ol = document.createElement('ol');
      const bounds = new maplibregl.LngLatBounds();
      picks.forEach((it, i) => {
        const m = document.createElement('div');
        m.className = 'marker-reco';
        m.textContent = String(it.rank || i + 1);
        m.title = it.name + ' : +' + fmtInt.format(it.gain_population) + ' hab.';
        state.recoMarkers.push(new maplibregl.Marker({ element: m }).setLngLat([it.lon, it.lat]).addTo(map));
        bounds.extend([it.lon, it.lat]);
        const li = document.createElement('li');
        li.textContent = it.name + ' : +' + fmtInt.format(it.gain_population) + ' hab. (couverture ' + fmtPct.format(it.covered_share) + ')';
        ol.append(li);
      });
      const body = document.createElement('div');
      if (!picks.length) body.textContent = 'Aucun site ne gagnerait d\'habitants à ce seuil.';
      body.append(ol);
      card(el, picks.length + ' site(s) recommandé(s) — ' + scopeName(), body);
      // Frame the picks outside the floating cards (right), so that no card
      // hides a recommended site; docked cards leave the map free.
      if (picks.length) {
        const right = narrow.matches ? 40 : $('#cards').offsetWidth + 70;
        map.fitBounds(bounds, { padding: { top: 60, bottom: 90, left: 40, right }, maxZoom: 10, duration: 0 });
      }
      app.recommendations = r;
    } catch (err) { report(err); }
  }

  // ---------- territory ----------

  function setTerritory(key) {
    const t = TERRITORIES[key];
    if (!t) return;
    state.territory = key;
    for (const b of document.querySelectorAll('#territories button')) {
      b.setAttribute('aria-pressed', String(b.dataset.territory === key));
    }
    map.fitBounds(t.bounds, { padding: VIEW_PADDING, duration: 0 });
    selectDepartement(t.dep);
  }

  // ---------- wiring ----------

  function wire() {
    drawLegend();
    for (const b of document.querySelectorAll('#territories button')) {
      b.addEventListener('click', () => setTerritory(b.dataset.territory));
    }
    $('#departement').addEventListener('change', (e) => {
      const code = e.target.value;
      const t = Object.keys(TERRITORIES).find((k) => TERRITORIES[k].dep === code) || (code ? '' : 'metropole');
      state.territory = t;
      for (const b of document.querySelectorAll('#territories button')) {
        b.setAttribute('aria-pressed', String(b.dataset.territory === t));
      }
      if (!code) map.fitBounds(TERRITORIES.metropole.bounds, { padding: VIEW_PADDING, duration: 0 });
      selectDepartement(code);
    });
    const slider = $('#minutes');
    slider.addEventListener('input', () => {
      state.minutes = Number(slider.value);
      $('#minutes-out').textContent = state.minutes + ' min';
      showThreshold();
      writeHash();
      refreshFigures();
      refreshAll(120);
    });
    // The layer checkboxes come and go with the layer list (buildLayerChecks).
    $('#layer-checks').addEventListener('change', (e) => {
      const cb = e.target;
      if (cb.name !== 'layer') return;
      const on = [...document.querySelectorAll('input[name="layer"]:checked')].map((x) => x.value);
      if (!on.length) { cb.checked = true; return; } // at least one layer counts
      state.layers = on;
      writeHash();
      refreshSites();
      refreshCommuneStates();
      refreshAll();
    });
    for (const r of document.querySelectorAll('input[name="colouring"]')) {
      r.addEventListener('change', () => { if (r.checked) setColouring(r.value); });
    }
    $('#propose').addEventListener('click', () => setProposing(!state.proposing));
    $('#recommend').addEventListener('click', recommend);
    document.addEventListener('keydown', (e) => { if (e.key === 'Escape') setProposing(false); });

    map.on('click', (e) => {
      if (state.proposing) { propose(e.lngLat); return; }
      const f = map.queryRenderedFeatures(e.point, { layers: ['communes-fill'] })[0];
      if (f && f.properties.code) showCommune(f.properties.code, f.properties);
    });
    map.on('mousemove', 'communes-fill', () => { if (!state.proposing) map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', 'communes-fill', () => { if (!state.proposing) map.getCanvas().style.cursor = ''; });
  }

  // ---------- page state in the URL ----------
  // #<territory or département>/<minutes>min[/<layers joined by +>][/c<commune>][/recrutement],
  // e.g. #23/15min, #973/30min/c97311, #23/30min/recrutement (the
  // recruitment panel open): a link restores the view.

  let applyingHash = false;
  function hashOf() {
    const parts = [state.departement || state.territory || 'metropole', state.minutes + 'min'];
    if (state.layers.join(',') !== DEFAULT_LAYERS) parts.push(state.layers.join('+'));
    if (state.commune) parts.push('c' + state.commune);
    if (state.recruit) parts.push('recrutement');
    return '#' + parts.join('/');
  }

  function writeHash() {
    if (applyingHash) return;
    const h = hashOf();
    if (location.hash !== h) history.replaceState(null, '', h);
  }

  // parseHash reads a hash into {scope, minutes, layers, commune}; missing
  // or malformed parts are left undefined.
  function parseHash(h) {
    const out = {};
    const parts = decodeURIComponent(String(h || '').replace(/^#/, '')).split('/').filter(Boolean);
    if (!parts.length) return out;
    out.scope = parts[0];
    for (const p of parts.slice(1)) {
      const m = /^(\d+)\s*min$/.exec(p);
      if (m) out.minutes = Math.max(5, Math.min(60, Math.round(+m[1] / 5) * 5));
      else if (/^c[0-9AB]{5}$/i.test(p)) out.commune = p.slice(1).toUpperCase();
      else if (p === 'recrutement') out.recruit = true;
      else out.layers = p.split(/[+,]/).filter((x) => SITE_LAYERS[x]);
    }
    return out;
  }

  function applyHash() {
    const h = parseHash(location.hash);
    if (!h.scope) return false;
    applyingHash = true;
    state.recruit = !!h.recruit; // the panel (recruit.js) may load after this first call
    try {
      if (h.minutes) {
        state.minutes = h.minutes;
        $('#minutes').value = String(h.minutes);
        $('#minutes-out').textContent = h.minutes + ' min';
        showThreshold();
      }
      if (h.layers && h.layers.length) {
        state.layers = h.layers;
        for (const cb of document.querySelectorAll('input[name="layer"]')) cb.checked = h.layers.includes(cb.value);
        refreshSites();
        refreshCommuneStates();
      }
      if (TERRITORIES[h.scope]) setTerritory(h.scope);
      else {
        for (const b of document.querySelectorAll('#territories button')) b.setAttribute('aria-pressed', 'false');
        state.territory = '';
        selectDepartement(h.scope);
      }
      refreshAll();
      if (h.commune && belongsTo(h.commune, state.departement)) showCommune(h.commune);
      for (const f of app.onHash) f(h);
    } finally {
      applyingHash = false;
    }
    writeHash();
    return true;
  }

  app.setTerritory = setTerritory;
  app.parseHash = parseHash;
  app.hashOf = hashOf;
  app.setColouring = setColouring;
  app.selectDepartement = selectDepartement;
  app.api = api;
  app.report = report;
  app.writeHash = writeHash;

  wire();
  map.once('load', () => { app.loadMs = Math.round(performance.now()); });
  // Overlays and figures are asked for as soon as the style is there, while
  // the tiles load; the list of départements waits for the first idle.
  dockCards();
  narrow.addEventListener('change', dockCards);
  window.addEventListener('hashchange', () => { if (location.hash !== hashOf()) applyHash(); });
  // The hash names layers: the list of layers comes first.
  const start = async () => {
    await buildLayerChecks();
    if (!applyHash()) { refreshSites(); refreshAll(); writeHash(); }
  };
  if (map.isStyleLoaded()) start(); else map.once('style.load', start);
  map.once('idle', loadDepartements);
  started();
})();
