// The hall screen (hall/display.html): polls the display state every 2 s and redraws what
// changed; reads each new call aloud with the browser's speech synthesis. Without JavaScript
// the page refreshes itself (noscript meta refresh).
(function () {
  "use strict";
  var root = document.getElementById("display");
  if (!root) { return; }
  var url = root.getAttribute("data-state-url");
  var version = root.getAttribute("data-version");
  var spoken = root.getAttribute("data-voice-id");

  function list(id, rows, text) {
    var ul = document.getElementById(id);
    while (ul.firstChild) { ul.removeChild(ul.firstChild); }
    rows.forEach(function (row) {
      var li = document.createElement("li");
      var parts = text(row);
      if (parts[0]) {
        var num = document.createElement("span");
        num.className = "num";
        num.textContent = parts[0];
        li.appendChild(num);
      }
      li.appendChild(document.createTextNode(parts[1]));
      ul.appendChild(li);
    });
  }

  function speak(text) {
    if (!text || !("speechSynthesis" in window)) { return; }
    var say = new SpeechSynthesisUtterance(text);
    say.lang = "zh-CN";
    window.speechSynthesis.speak(say);
  }

  function draw(state) {
    if (String(state.version) === version) { return; }
    version = String(state.version);
    list("calling", state.calling.length ? state.calling : [null], function (c) {
      return c ? [c.number, " 请到 " + c.window + " 号窗口"] : ["", "请耐心等候"];
    });
    list("recent", state.recent, function (c) { return [c.number, " → " + c.window + "号窗口"]; });
    list("waiting", state.waiting, function (w) {
      return ["", (w.prefix ? w.prefix + " " : "") + w.group + "：" + w.count + " 人"];
    });
    document.getElementById("voice").textContent = state.voice;
    if (state.voice_id && state.voice_id !== spoken) {
      spoken = state.voice_id;
      speak(state.voice);
    }
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) { if (state) { draw(state); } })
      .catch(function () { /* the next poll tries again */ })
      .then(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 2000);
}());
