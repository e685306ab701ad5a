// The demo page's minimal chat box: one POST /api/v1/chat per message.
(function () {
  "use strict";
  var list = document.getElementById("messages");
  var form = document.getElementById("composer");
  var input = document.getElementById("message");
  var conversationId = sessionStorage.getItem("kaipiao.conversation") || null;

  function show(role, text, buttons) {
    var item = document.createElement("li");
    item.className = role;
    item.textContent = text;
    if (buttons && buttons.length) {
      var row = document.createElement("div");
      row.className = "buttons";
      buttons.forEach(function (button) {
        var b = document.createElement("button");
        b.type = "button";
        b.textContent = button.title;
        b.addEventListener("click", function () { send(button.payload, button.title); });
        row.appendChild(b);
      });
      item.appendChild(row);
    }
    list.appendChild(item);
    list.scrollTop = list.scrollHeight;
  }

  function send(text, shown) {
    show("user", shown || text);
    var body = { message: text };
    if (conversationId) { body.conversation_id = conversationId; }
    return fetch("/api/v1/chat", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) {
          if (data.error && data.error.conversation_id) { remember(data.error.conversation_id); }
          show("error", (data.error && data.error.message) || "请求失败，请稍后再试");
          return;
        }
        remember(data.conversation_id);
        data.messages.forEach(function (m) { show(m.role, m.text, m.buttons); });
      });
    }).catch(function () {
      show("error", "网络连接失败，请检查网络后重试");
    });
  }

  function remember(id) {
    conversationId = id;
    sessionStorage.setItem("kaipiao.conversation", id);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    input.value = "";
    send(text);
  });
})();
