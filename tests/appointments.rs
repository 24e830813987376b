//! Appointments: no double booking of an agent (the read model checks, the command re-checks),
//! free slots in the tenant's time zone, the lead moving to `agendado`, reminders on time, once.

mod support;

use chrono::{Datelike, Duration, Utc, Weekday};
use leadstream_command_api::appointments::{AppointmentService, BusinessHoursStore};
use leadstream_command_api::clock::Clock;
use leadstream_command_api::integrations::Integrations;
use leadstream_command_api::scoring::WeightsStore;
use leadstream_command_api::sequences::{Scheduler, SchedulerSettings, SequenceService};
use leadstream_command_api::{lead_event_store, LeadCommandService, LeadFollowUps};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{read_topic, shared_broker, Caller, TestApp};

async fn lead(app: &TestApp, admin: &Caller, phone: &str) -> String {
    let lead = app
        .create_lead(
            admin,
            json!({"name": "Ana", "email": format!("{}@example.com", &phone[1..]), "phone": phone}),
        )
        .await;
    lead.body["id"].as_str().unwrap().to_string()
}

async fn book(app: &TestApp, caller: &Caller, body: Value) -> support::Answer {
    app.call(Method::POST, "/api/v1/appointments", Some(caller), Some(body))
        .await
}

async fn slots(app: &TestApp, caller: &Caller, date: &str) -> Vec<Value> {
    let answer = app
        .call(
            Method::GET,
            &format!("/api/v1/appointments/available-slots?date={date}"),
            Some(caller),
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.body["slots"].as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn double_booking_is_refused_and_slots_follow_the_tenants_hours_and_time_zone() {
    let app = TestApp::spawn().await;
    let admin = app.register_tenant().await;
    let hours = app
        .call(
            Method::PUT,
            "/api/v1/settings/business-hours",
            Some(&admin),
            Some(json!({"timezone": "America/Santiago", "business_hours": {
                "monday": {"open": "09:00", "close": "11:00"}, "tuesday": {"open": "09:00", "close": "11:00"}}})),
        )
        .await;
    assert_eq!(hours.status, StatusCode::OK, "{}", hours.body);
    // A Monday at least a week ahead; December in Santiago is summer time, UTC−3.
    let mut monday = Utc::now().date_naive() + Duration::days(7);
    while monday.weekday() != Weekday::Mon {
        monday += Duration::days(1);
    }
    let day = monday.format("%Y-%m-%d").to_string();
    let free = slots(&app, &admin, &day).await;
    let local: Vec<&str> = free.iter().map(|s| s["local_start"].as_str().unwrap()).collect();
    let offset = &local[0][19..];
    assert!(["-03:00", "-04:00"].contains(&offset), "{local:?}");
    assert_eq!(
        local,
        ["09:00", "09:30", "10:00", "10:30"].map(|t| format!("{day}T{t}:00{offset}")),
        "four half-hour slots from 09:00 to 11:00, Santiago time"
    );
    assert!(
        slots(
            &app,
            &admin,
            &(monday + Duration::days(2)).format("%Y-%m-%d").to_string()
        )
        .await
        .is_empty(),
        "closed on Wednesdays"
    );

    let ana = lead(&app, &admin, "+56911110001").await;
    let at = |slot: &Value| slot["starts_at"].as_str().unwrap().to_string();
    let booked = book(
        &app,
        &admin,
        json!({"lead_id": ana, "scheduled_date": at(&free[1]), "duration": 30, "type": "property_visit"}),
    )
    .await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    assert_eq!(booked.body["status"], "scheduled");
    assert_eq!(
        booked.body["agent_id"],
        admin.user_id.to_string().as_str(),
        "the caller, the lead having no agent"
    );
    let first = booked.body["id"].as_str().unwrap().to_string();
    let detail = app
        .call(
            Method::GET,
            &format!("/api/v1/appointments/{first}?min_position={}", booked.position()),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(detail.body["type"], "property_visit");
    let left: Vec<String> = slots(&app, &admin, &day).await.iter().map(at).collect();
    assert_eq!(
        left,
        [at(&free[0]), at(&free[2]), at(&free[3])],
        "the booked slot is gone"
    );

    // The read model sees the overlap.
    let quarter_past =
        (chrono::DateTime::parse_from_rfc3339(&at(&free[1])).unwrap() + Duration::minutes(15)).to_rfc3339();
    let clash = book(&app, &admin, json!({"lead_id": ana, "scheduled_date": quarter_past})).await;
    clash.assert_error(409, "DOUBLE_BOOKED");
    assert_eq!(clash.body["details"]["conflicting_appointment_ids"], json!([first]));
    // Racing requests the read model cannot see yet: the command's own check lets one through.
    let leads: Vec<String> = futures::future::join_all((2..7).map(|i| {
        let app = &app;
        let admin = &admin;
        async move { lead(app, admin, &format!("+5691111000{i}")).await }
    }))
    .await;
    let racing = futures::future::join_all(
        leads
            .iter()
            .map(|l| book(&app, &admin, json!({"lead_id": l, "scheduled_date": at(&free[2])}))),
    )
    .await;
    let statuses: Vec<u16> = racing.iter().map(|a| a.status.as_u16()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 4, "{statuses:?}");
    for refused in racing.iter().filter(|a| a.status == StatusCode::CONFLICT) {
        assert_eq!(refused.body["code"], "DOUBLE_BOOKED");
    }
    assert_eq!(
        app.count("SELECT count(*) FROM events WHERE event_type = 'appointment.scheduled'")
            .await,
        2
    );
    // Another agent is free at that time.
    let agent = app.add_user(&admin, "agent").await;
    let other = book(
        &app,
        &admin,
        json!({"lead_id": leads[0], "agent_id": agent.user_id, "scheduled_date": at(&free[2])}),
    )
    .await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.body);

    // The lead moved to agendado and shows the booking.
    let last = app
        .count("SELECT max(position) FROM outbox WHERE aggregate_type = 'lead'")
        .await;
    app.wait_projected(&admin, last).await;
    let lead_view = app
        .call(Method::GET, &format!("/api/v1/leads/{ana}"), Some(&admin), None)
        .await;
    assert_eq!(lead_view.body["pipeline_stage"], "agendado");
    assert_eq!(
        lead_view.body["activities"][0]["activity_type"], "appointment_scheduled",
        "{}",
        lead_view.body
    );

    // Move, confirm, cancel; cancelling frees the time.
    let tuesday = (monday + Duration::days(1)).format("%Y-%m-%d").to_string();
    let moved = app
        .call(Method::PUT, &format!("/api/v1/appointments/{first}"), Some(&admin),
            Some(json!({"scheduled_date": at(&slots(&app, &admin, &tuesday).await[0]), "status": "confirmed", "notes": "bring the keys"})))
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    assert_eq!(moved.body["status"], "confirmed");
    assert_eq!(moved.body["notes"], "bring the keys");
    let listed = app
        .call(
            Method::GET,
            &format!(
                "/api/v1/appointments?status=confirmed&date_from={tuesday}&date_to={tuesday}&min_position={}",
                moved.position()
            ),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(listed.body["total"], 1, "{}", listed.body);
    let back: Vec<String> = slots(&app, &admin, &day).await.iter().map(at).collect();
    assert!(
        back.contains(&at(&free[1])),
        "the moved appointment's old slot is free again"
    );
    let cancelled = app
        .call(
            Method::DELETE,
            &format!("/api/v1/appointments/{first}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(cancelled.body["status"], "cancelled");
    let again = book(
        &app,
        &admin,
        json!({"lead_id": ana, "scheduled_date": moved.body["scheduled_date"]}),
    )
    .await;
    assert_eq!(
        again.status,
        StatusCode::CREATED,
        "a cancelled booking frees its time: {}",
        again.body
    );

    // Every appointment event reaches its topic.
    let topic = format!("{}appointment", app.settings.kafka_topic_prefix);
    let messages = read_topic(&app.brokers, &topic, 8, std::time::Duration::from_secs(20));
    let mut types: Vec<&str> = messages
        .iter()
        .map(|m| m.value["event_type"].as_str().unwrap())
        .collect();
    types.sort();
    types.dedup();
    assert_eq!(
        types,
        [
            "appointment.cancelled",
            "appointment.confirmed",
            "appointment.rescheduled",
            "appointment.scheduled",
            "appointment.updated"
        ]
    );

    // Bad input, and other tenants.
    let past = (Utc::now() - Duration::hours(1)).to_rfc3339();
    for (body, field) in [
        (json!({"scheduled_date": at(&free[0])}), "lead_id"),
        (json!({"lead_id": ana, "scheduled_date": "tomorrow"}), "scheduled_date"),
        (json!({"lead_id": ana, "scheduled_date": past}), "scheduled_date"),
        (
            json!({"lead_id": ana, "scheduled_date": at(&free[3]), "duration": 1000}),
            "duration",
        ),
    ] {
        let refused = book(&app, &admin, body).await;
        refused.assert_error(422, "VALIDATION_ERROR");
        assert_eq!(refused.body["details"]["fields"][0]["field"], field, "{}", refused.body);
    }
    app.call(
        Method::PUT,
        "/api/v1/settings/business-hours",
        Some(&admin),
        Some(json!({"timezone": "Mars/Olympus", "business_hours": {}})),
    )
    .await
    .assert_error(422, "VALIDATION_ERROR");
    // A range of decades is searched for its first 31 days, and the answer says so.
    let long = app
        .call(
            Method::GET,
            &format!("/api/v1/appointments/available-slots?date_from={day}&date_to=2099-01-01"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(long.status, StatusCode::OK, "{}", long.body);
    let last = (monday + Duration::days(30)).format("%Y-%m-%d").to_string();
    assert_eq!(long.body["date_to"], last);
    let slots = long.body["slots"].as_array().unwrap();
    assert!(!slots.is_empty());
    assert!(slots
        .iter()
        .all(|slot| slot["local_start"].as_str().unwrap()[..10] <= *last.as_str()));
    let stranger = app.register_tenant().await;
    for (method, path) in [(Method::GET, ""), (Method::DELETE, "")] {
        app.call(
            method,
            &format!("/api/v1/appointments/{}{path}", again.body["id"].as_str().unwrap()),
            Some(&stranger),
            None,
        )
        .await
        .assert_error(404, "RESOURCE_NOT_FOUND");
    }
    book(&app, &stranger, json!({"lead_id": ana, "scheduled_date": at(&free[3])}))
        .await
        .assert_error(404, "RESOURCE_NOT_FOUND");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reminders_go_out_once_when_due_and_two_schedulers_never_send_one_twice() {
    let clock = Clock::manual(Utc::now());
    let app = TestApp::spawn_with(&shared_broker(), |s| {
        s.clock = clock.clone();
        s.scheduler_tick_ms = 50;
    })
    .await;
    let admin = app.register_tenant().await;
    // The clock moves lead commands too: a lead made a year ago is made a year ago.
    clock.advance(-Duration::days(365));
    let made = app.create_lead(&admin, json!({"phone": "+56922220009"})).await;
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(made.body["lead"]["created_at"].as_str().unwrap()).unwrap(),
        clock.now(),
        "{}",
        made.body
    );
    // And a batch's items.
    let batch = app
        .call(
            Method::POST,
            "/api/v1/batch/qualify",
            Some(&admin),
            Some(json!({"leads": [{"email": "clock@batch.io", "company": "Clockwork"}]})),
        )
        .await;
    assert_eq!(batch.status, StatusCode::ACCEPTED, "{}", batch.body);
    let status_url = batch.body["status_url"].as_str().unwrap().to_string();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let item_lead = loop {
        let status = app.call(Method::GET, &status_url, Some(&admin), None).await;
        if status.body["status"] != "processing" {
            break status.body["results"][0]["lead_id"].as_str().unwrap().to_string();
        }
        assert!(std::time::Instant::now() < deadline, "the batch did not finish");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let item_created: chrono::DateTime<Utc> = sqlx::query_scalar(
        "SELECT (metadata->>'occurred_at')::timestamptz FROM events WHERE aggregate_id = $1 AND sequence = 1",
    )
    .bind(&item_lead)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(item_created, clock.now());
    clock.advance(Duration::days(365));
    let ana = lead(&app, &admin, "+56922220001").await;
    let starts = clock.now() + Duration::days(2);
    let booked = book(
        &app,
        &admin,
        json!({"lead_id": ana, "scheduled_date": starts.to_rfc3339()}),
    )
    .await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    assert_eq!(booked.body["reminders_minutes_before"], json!([1440, 60]));
    let id = booked.body["id"].as_str().unwrap().to_string();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.sent_messages().await, 0, "nothing is due yet");
    // A day before: the first reminder, once.
    clock.advance(Duration::days(1) + Duration::minutes(1));
    app.wait_sent_messages(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(app.sent_messages().await, 1);
    let text: String = sqlx::query_scalar("SELECT body FROM outbound_messages")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(text.starts_with("Reminder: you have an appointment on"), "{text}");
    // By hand, then the hour-before one.
    let manual = app
        .call(
            Method::POST,
            &format!("/api/v1/appointments/{id}/remind"),
            Some(&admin),
            Some(json!({"method": "email", "message": "See you tomorrow"})),
        )
        .await;
    assert_eq!(manual.status, StatusCode::OK, "{}", manual.body);
    assert_eq!(manual.body["reminders_sent"], 2);
    clock.advance(Duration::hours(23));
    app.wait_sent_messages(3).await;
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(app.sent_messages().await, 3);
    assert_eq!(
        app.count("SELECT count(*) FROM events WHERE event_type = 'appointment.reminder_sent'")
            .await,
        3
    );
    assert_eq!(
        app.count("SELECT count(*) FROM events WHERE event_type = 'lead.message_sent'")
            .await,
        3
    );
    // Held only once it began.
    let path = format!("/api/v1/appointments/{id}");
    app.call(Method::PUT, &path, Some(&admin), Some(json!({"status": "completed"})))
        .await
        .assert_error(409, "APPOINTMENT_REFUSED");
    clock.advance(Duration::hours(1));
    let held = app
        .call(Method::PUT, &path, Some(&admin), Some(json!({"status": "completed"})))
        .await;
    assert_eq!(held.body["status"], "completed", "{}", held.body);
    // Another that the lead misses.
    let missed = book(
        &app,
        &admin,
        json!({"lead_id": ana, "scheduled_date": (clock.now() + Duration::hours(3)).to_rfc3339()}),
    )
    .await;
    assert_eq!(missed.status, StatusCode::CREATED, "{}", missed.body);
    clock.advance(Duration::hours(4));
    let no_show = app
        .call(
            Method::PUT,
            &format!("/api/v1/appointments/{}", missed.body["id"].as_str().unwrap()),
            Some(&admin),
            Some(json!({"status": "no_show"})),
        )
        .await;
    assert_eq!(no_show.body["status"], "no_show", "{}", no_show.body);
    let topic = format!("{}appointment", app.settings.kafka_topic_prefix);
    let types: std::collections::BTreeSet<String> =
        read_topic(&app.brokers, &topic, 7, std::time::Duration::from_secs(20))
            .iter()
            .map(|m| m.value["event_type"].as_str().unwrap().to_string())
            .collect();
    for wanted in [
        "appointment.reminder_sent",
        "appointment.completed",
        "appointment.no_show",
    ] {
        assert!(
            types.contains(wanted),
            "{wanted} reaches the appointment topic: {types:?}"
        );
    }

    // Two schedulers over one database, racing over ten due reminders.
    let quiet = TestApp::spawn_with(&shared_broker(), |s| {
        s.clock = clock.clone();
        s.scheduler_tick_ms = 0;
    })
    .await;
    let owner = quiet.register_tenant().await;
    for i in 0..10 {
        let l = lead(&quiet, &owner, &format!("+5693333000{i}")).await;
        let when = clock.now() + Duration::hours(2) + Duration::minutes(5 * i);
        let booked = book(
            &quiet,
            &owner,
            json!({"lead_id": l, "scheduled_date": when.to_rfc3339(), "duration": 5, "reminders_minutes_before": [60]}),
        )
        .await;
        assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    }
    let scheduler = || {
        let pool = quiet.pool.clone();
        let followups = LeadFollowUps::new(
            LeadCommandService::new(lead_event_store(pool.clone(), 5), pool.clone()),
            WeightsStore::new(pool.clone()),
        );
        Scheduler::new(
            SequenceService::new(pool.clone()),
            followups.clone(),
            Integrations::local(pool.clone()),
            clock.clone(),
            SchedulerSettings {
                tick: std::time::Duration::from_millis(10),
                batch: 3,
            },
        )
        .with_reminders(
            AppointmentService::new(pool.clone(), followups),
            BusinessHoursStore::new(pool),
        )
    };
    let (a, b) = (scheduler(), scheduler());
    assert_eq!(a.fire_due_reminders().await.unwrap(), 0);
    clock.advance(Duration::hours(1) + Duration::minutes(50));
    let mut fired = 0;
    for _ in 0..10 {
        let (x, y) = tokio::join!(a.fire_due_reminders(), b.fire_due_reminders());
        fired += x.unwrap() + y.unwrap();
    }
    assert_eq!(fired, 10, "each due reminder once");
    assert_eq!(quiet.sent_messages().await, 10);
    assert_eq!(
        quiet
            .count("SELECT count(DISTINCT lead_id) FROM outbound_messages")
            .await,
        10
    );
    assert_eq!(
        quiet
            .count("SELECT count(*) FROM events WHERE event_type = 'appointment.reminder_sent'")
            .await,
        10
    );
    quiet.stop().await;
    app.stop().await;
}
