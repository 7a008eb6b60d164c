/* The agenda: FullCalendar (vendored) on our JSON endpoints. Times are Paris wall times: the
   calendar runs in its "UTC" mode, so it shows and returns them as they are. */
(function ($) {
  "use strict";
  var el = document.getElementById("agenda");
  if (!el || !window.FullCalendar) { return; }
  var labels = JSON.parse(document.getElementById("agenda-labels").textContent);
  var canPlan = el.dataset.canPlan === "1";
  var pending = null;  // the slot chosen for a new appointment
  var shown = null;    // the event in the detail window

  function wall(date) { return date.toISOString().slice(0, 16); }
  function wallLabel(date) {  /* 18/11/2026 10:00, from the wall time */
    var iso = wall(date);
    return iso.slice(8, 10) + "/" + iso.slice(5, 7) + "/" + iso.slice(0, 4) + " " + iso.slice(11, 16);
  }
  function owner() {
    var colleague = $("#agenda-colleague").val();
    return colleague || $("#agenda-user").val() || "me";
  }

  /* POST JSON; a 409 (overlap) asks the user, then sends again with force. */
  function send(url, data, done, failed) {
    $.ajax({url: url, method: "POST", contentType: "application/json", dataType: "json",
            headers: {"X-CSRFToken": el.dataset.csrf}, data: JSON.stringify(data)})
      .done(done)
      .fail(function (xhr) {
        var body = xhr.responseJSON || {};
        if (xhr.status === 409 && body.overlap && window.confirm(body.message)) {
          send(url, $.extend({}, data, {force: true}), done, failed);
          return;
        }
        failed(body.message || labels.error, xhr.status === 409);
      });
  }

  function colour(info) {
    if ($("#agenda-colour").val() === "status") {
      info.el.style.backgroundColor = info.event.extendedProps.statusColour;
      info.el.style.borderColor = info.event.extendedProps.statusColour;
    }
  }

  var calendar = new FullCalendar.Calendar(el, {
    locale: "fr", timeZone: "UTC", firstDay: 1, initialView: "timeGridWeek",
    headerToolbar: {left: "prev,next today", center: "title",
                    right: "dayGridMonth,timeGridWeek,timeGridDay,listWeek"},
    slotMinTime: "07:00:00", slotMaxTime: "21:00:00", scrollTime: "08:00:00",
    slotLabelFormat: {hour: "2-digit", minute: "2-digit", hour12: false},
    eventTimeFormat: {hour: "2-digit", minute: "2-digit", hour12: false},
    nowIndicator: false, allDaySlot: false, height: "auto", expandRows: true,
    selectable: canPlan, selectMirror: true, editable: canPlan, eventResizableFromStart: false,
    events: function (range, success, failure) {
      $.getJSON(el.dataset.eventsUrl, {start: wall(range.start), end: wall(range.end), user: owner(),
                                       cancelled: $("#agenda-cancelled").is(":checked") ? 1 : 0})
        .done(success).fail(failure);
    },
    eventDidMount: colour,
    select: function (info) {
      pending = info;
      $("#agenda-new-error").prop("hidden", true);
      $("#agenda-new-when").text(wallLabel(info.start) + " – " + wall(info.end).slice(11, 16));
      $("#agenda-new").modal("show");
    },
    eventClick: function (info) {
      shown = info.event;
      var p = shown.extendedProps;
      $("#agenda-detail-title").text(shown.title);
      var rows = [[labels.status, p.statusLabel], [labels.owner, p.owner], [labels.place, p.place],
                  [labels.phone, p.phone], [labels.email, p.email], [labels.minutes, p.minutes]];
      var $body = $("#agenda-detail-body").empty();
      rows.forEach(function (row) {
        if (row[1]) { $body.append($("<dt>").text(row[0]), $("<dd>").text(row[1])); }
      });
      $("#agenda-detail-lead").attr("href", p.leadUrl);
      $("#agenda-detail-edit").attr("href", p.editUrl).toggle(canPlan);
      $("#agenda-detail-cancel").toggle(canPlan && shown.startEditable !== false && p.status !== "cancelled");
      $("#agenda-detail").modal("show");
    },
    eventDrop: move, eventResize: move
  });

  function move(info) {
    var url = el.dataset.moveUrl.replace("/0/", "/" + info.event.id + "/");
    send(url, {start: wall(info.event.start), end: wall(info.event.end)},
         function () { calendar.refetchEvents(); },
         function (message, asked) { info.revert(); if (!asked) { window.alert(message); } });
  }

  $("#agenda-new-form").on("submit", function (event) {
    event.preventDefault();
    send(el.dataset.createUrl, {lead: $("#agenda-lead").val(), owner: $("#agenda-owner").val(),
                                title: $("#agenda-title").val(), place: $("#agenda-place").val(),
                                start: wall(pending.start), end: wall(pending.end)},
         function () { $("#agenda-new").modal("hide"); calendar.unselect(); calendar.refetchEvents(); },
         function (message) { $("#agenda-new-error").text(message).prop("hidden", false); });
  });

  $("#agenda-detail-cancel").on("click", function () {
    if (!shown || !window.confirm($(this).data("question"))) { return; }
    send(el.dataset.cancelUrl.replace("/0/", "/" + shown.id + "/"), {},
         function () { $("#agenda-detail").modal("hide"); calendar.refetchEvents(); },
         function (message) { window.alert(message); });
  });

  $("#agenda-user, #agenda-cancelled").on("change", function () {
    if (this.id === "agenda-user") { $("#agenda-colleague").val(null).trigger("change.select2"); }
    calendar.refetchEvents();
  });
  $("#agenda-colleague").on("change", function () { calendar.refetchEvents(); });
  $("#agenda-colour").on("change", function () { calendar.render(); calendar.refetchEvents(); });

  $("[data-copy]").on("click", function () {
    var input = $($(this).data("copy"))[0];
    input.select();
    if (navigator.clipboard) { navigator.clipboard.writeText(input.value); }
  });

  calendar.render();
})(jQuery);
