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

    // The connection banner: asks the server's readiness probe each tick. While it fails the
    // panels keep the last data received (failed refreshes change nothing), and the banner
    // says since when; the first good answer clears it.
    async connection() {
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
