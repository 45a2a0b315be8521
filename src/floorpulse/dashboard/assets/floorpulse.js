// Browser-side callbacks of the dashboard (Dash clientside functions).
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  floorpulse: {
    toggleTheme(clicks, theme) {
      if (!clicks) return theme || "dark";
      return theme === "light" ? "dark" : "light";
    },

    applyTheme(theme) {
      document.documentElement.dataset.theme = theme || "dark";
      return "";
    },

    // Wallboard mode (?kiosk=1): no controls, large type, and the page cycles through the
    // overview, the workstations and the timeline, `cycle` seconds each (default 20). The
    // stage follows from the tick count alone: nothing accumulates, however long it runs.
    wallboard(ticks, search) {
      const asked = new URLSearchParams(search || "");
      if (asked.get("kiosk") !== "1") return "shell";
      const cycle = Math.max(2, Number(asked.get("cycle")) || 20);
      const stages = ["overview", "workstations", "timeline"];
      const stage = stages[Math.floor((ticks || 0) / cycle) % stages.length];
      return `shell kiosk kiosk-${stage}`;
    },

    // Push or poll: while the server's beats arrive (each carries its heartbeat period) the
    // one-second poll is off; after one and a half periods of silence it is back on, and the
    // push is asked to start again once a period.
    live(ticks, beat) {
      const now = Date.now();
      const state = (window.floorpulseLive = window.floorpulseLive || {
        beat: null,
        heard: 0,
        asked: now,
      });
      if (beat && beat !== state.beat) {
        state.beat = beat;
        state.heard = now;
      }
      const period = 1000 * ((beat && beat.heartbeat_s) || 5);
      const pushed = now - state.heard < 1.5 * period;
      let restart = window.dash_clientside.no_update;
      if (!pushed && now - state.asked > period) {
        state.asked = now;
        restart = now;
      }
      const label = pushed ? "● live" : "● live (polling)";
      return [pushed, label, restart];
    },

    // Which page the path shows: the model health page has no filter bar (its window is
    // the two weeks its signals need); the sites page takes the bar's window; every other
    // path is the overview or an entity page.
    section(path) {
      const models = path === "/models";
      const sites = path === "/sites";
      return [models || sites, !models, !sites, models];
    },

    // A ranking's "Download CSV": its rows as the table shows them (as the viewer sorted
    // them), written in the browser, named by the button's data-filename.
    tableCsv(clicks, rows, columns) {
      if (!clicks || !rows) return window.dash_clientside.no_update;
      const clicked = window.dash_clientside.callback_context.triggered[0].prop_id;
      const button = document.getElementById(clicked.split(".")[0]);
      const line = (cells) => cells.map((cell) => csvField(String(cell ?? ""))).join(",");
      const lines = [
        line(columns.map((column) => column.name)),
        ...rows.map((row) => line(columns.map((column) => row[column.id]))),
      ];
      const content = lines.join("\r\n") + "\r\n";
      return { content, filename: button.dataset.filename, type: "text/csv" };
    },

    // The connection banner: asks the server's readiness probe each tick. While it fails the
    // panels keep the last data received (failed refreshes change nothing), and the banner
    // says since when; the first good answer clears it.
    async connection(ticks) {
      if (ticks % SESSION_CHECK_TICKS === 0) await staySignedIn();
      const problem = await readiness();
      if (problem === null) {
        window.floorpulseDownSince = null;
        return ["", true];
      }
      window.floorpulseDownSince = window.floorpulseDownSince || new Date();
      const since = window.floorpulseDownSince.toLocaleTimeString([], { hour12: false });
      return [
        `FloorPulse is not answering (${problem}) since ${since}. ` +
          "Showing the last data received; reconnecting every second.",
        false,
      ];
    },
  },
});

// RFC 4180: a field holding a comma, a quote or a line break is quoted, its quotes doubled.
function csvField(text) {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

// A sign-in that ended (its hours ran out, its key was revoked) leaves Dash's requests refused
// with 401; the page then goes to the sign-in page, which brings the viewer back here.
const SESSION_CHECK_TICKS = 15;

async function staySignedIn() {
  try {
    const answer = await fetch("/api/session", { cache: "no-store" });
    if (answer.status === 401) {
      const here = window.location.pathname + window.location.search;
      window.location.assign(`/signin?next=${encodeURIComponent(here)}`);
    }
  } catch (error) {
    // unreachable: the readiness probe says so
  }
}

async function readiness() {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 2500);
  try {
    const answer = await fetch("/health/ready", { cache: "no-store", signal: abort.signal });
    if (answer.ok) return null;
    const body = await answer.json().catch(() => ({}));
    return body.detail || `status ${answer.status}`;
  } catch (error) {
    return "server unreachable";
  } finally {
    clearTimeout(timer);
  }
}
