"""Live reload: the archive's revision as a generation that open pages compare with the one they show, and
the script and server-sent events that tell them when it moves."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

__all__ = ["EVENTS_PATH", "KEEPALIVE_SECONDS", "SCRIPT", "SCRIPT_PATH", "LiveReload", "with_script"]

EVENTS_PATH = "/_live/events"
"""The server-sent events stream: one ``rebuild`` event with the generation on connect, then one per change."""
SCRIPT_PATH = "/_live/reload.js"
"""The only script a page gets, added by the server (pages on disk hold none)."""
KEEPALIVE_SECONDS = 15.0

SCRIPT = b"""(function () {
  "use strict";
  var me = document.currentScript;
  var shown = me ? me.getAttribute("data-generation") : null;
  if (!window.EventSource) { return; }
  var events = new EventSource("/_live/events");
  function typing() {
    var fields = document.querySelectorAll("form.edit textarea, form.edit input:not([type=hidden]):not([type=checkbox])");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value !== fields[i].defaultValue) { return true; }
    }
    return false;
  }
  events.addEventListener("rebuild", function (event) {
    if (event.data === shown) { return; }
    if (typing()) {
      if (!document.getElementById("changed")) {
        var note = document.createElement("p");
        note.id = "changed";
        note.className = "changed";
        note.textContent = "This record changed since the page was loaded: reload to see it (what you typed would be lost).";
        document.body.appendChild(note);
      }
      return;
    }
    events.close();
    window.location.reload();
  });
})();
"""


def with_script(page: str, generation: int) -> str:
    """The page with the live-reload script, which knows the generation the page shows."""
    tag = f'<script src="{SCRIPT_PATH}" defer data-generation="{generation}"></script>\n'
    at = page.rfind("</body>")
    return page + tag if at < 0 else page[:at] + tag + page[at:]


class LiveReload:
    """The generation open pages show (the archive's revision) and a way to wait for it to move; used on the
    server's event loop only (other threads go through ``loop.call_soon_threadsafe``)."""

    def __init__(self, generation: int = 0) -> None:
        self.generation = generation
        self.closed = False
        self._changed: asyncio.Event | None = None

    def _event(self) -> asyncio.Event:
        if self._changed is None:
            self._changed = asyncio.Event()
        return self._changed

    def set(self, generation: int) -> None:
        """The archive is at ``generation`` now: wake the streams if it moved."""
        if generation != self.generation:
            self.generation = generation
            self._wake()

    def bump(self) -> int:
        """Move the generation on by one (a rebuild that changes no revision) and wake the streams."""
        self.generation += 1
        self._wake()
        return self.generation

    def close(self) -> None:
        """Release every waiting stream: the server is stopping."""
        self.closed = True
        self._wake()

    def _wake(self) -> None:
        event, self._changed = self._event(), asyncio.Event()
        event.set()

    async def wait(self, seen: int | None, timeout: float) -> int:
        """Until the generation differs from ``seen``, the server stops, or ``timeout`` seconds pass."""
        if self.closed or self.generation != seen:
            return self.generation
        event = self._event()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)
        return self.generation

    async def stream(self, keepalive: float = KEEPALIVE_SECONDS) -> AsyncIterator[bytes]:
        """Server-sent events: the current generation at once, then each new one; a comment now and then."""
        yield b"retry: 1000\n\n"
        seen: int | None = None
        while not self.closed:
            generation = await self.wait(seen, keepalive)
            if self.closed:
                return
            if generation != seen:
                seen = generation
                yield f"event: rebuild\ndata: {generation}\n\n".encode()
            else:
                yield b": still here\n\n"
