//! The conversation engine's reading of English and Spanish, its replies and its summaries.

use chrono::{Duration, TimeZone, Utc};

use super::*;

/// An utterance and what the engine must read in it.
type Reading<'a> = (&'a str, Intent, &'a [Objection], &'a [InterestSignal], Language);

#[test]
fn reads_intent_objections_and_interest_in_english_and_spanish() {
    let cases: &[Reading] = &[
        (
            "Hi Sarah, yes I have a few minutes to chat",
            Intent::PositiveConfirmation,
            &[],
            &[InterestSignal::VerbalInterest],
            Language::En,
        ),
        (
            "How much does it cost?",
            Intent::PricingInquiry,
            &[],
            &[InterestSignal::PricingInterest],
            Language::En,
        ),
        (
            "It sounds too expensive for us right now",
            Intent::Objection,
            &[Objection::Price],
            &[],
            Language::En,
        ),
        (
            "Can we schedule a demo this week?",
            Intent::ScheduleRequest,
            &[],
            &[
                InterestSignal::DemoInterest,
                InterestSignal::TimelineInterest,
                InterestSignal::AppointmentInterest,
            ],
            Language::En,
        ),
        (
            "I'm not interested, please stop calling",
            Intent::NotInterested,
            &[],
            &[],
            Language::En,
        ),
        (
            "Tengo que hablar con mi socio antes de decidir",
            Intent::Objection,
            &[Objection::Authority],
            &[],
            Language::Es,
        ),
        (
            "Sí, me interesa agendar una visita esta semana",
            Intent::ScheduleRequest,
            &[],
            &[
                InterestSignal::VerbalInterest,
                InterestSignal::TimelineInterest,
                InterestSignal::AppointmentInterest,
            ],
            Language::Es,
        ),
        ("No me interesa, gracias", Intent::NotInterested, &[], &[], Language::Es),
    ];
    for (text, intent, objections, signals, language) in cases {
        let analysis = analyze(text);
        assert_eq!(analysis.intent, *intent, "{text}");
        assert_eq!(analysis.objections, *objections, "{text}");
        assert_eq!(analysis.interest_signals, *signals, "{text}");
        assert_eq!(analysis.language, *language, "{text}");
        assert!((-1.0..=1.0).contains(&analysis.sentiment), "{text}");
    }
}

#[test]
fn sentiment_follows_the_words() {
    assert!(analyze("Great, that sounds perfect, thank you!").sentiment > 0.5);
    assert!(analyze("This is terrible, I'm annoyed, never call again").sentiment < -0.5);
    assert!(analyze("No me interesa").sentiment < 0.0);
    assert!(
        analyze("I'm not interested").sentiment < 0.0,
        "'not interested' is no interest"
    );
    assert_eq!(analyze("the weather").sentiment, 0.0);
}

#[test]
fn replies_follow_the_conversation_and_speak_its_language() {
    let context = CallContext {
        lead_name: Some("Ana".into()),
        company: Some("Acme".into()),
        purpose: None,
        assistant_name: "Alex".into(),
        language: Language::En,
    };
    assert_eq!(
        opening(&context),
        "Hi Ana, this is Alex calling about your enquiry. I hope I'm catching you at a good time!"
    );
    let first = reply(&context, ConversationState::Greeting, &analyze("Yes, sure"));
    assert_eq!(first.state, ConversationState::Discovery);
    assert!(first.text.contains("Acme"), "{}", first.text);
    let objection = reply(&context, first.state, &analyze("It's too expensive"));
    assert_eq!(objection.state, ConversationState::ObjectionHandling);
    assert!(objection.text.contains("budget"));
    let bye = reply(&context, objection.state, &analyze("Not interested, thanks"));
    assert!(!bye.should_continue);
    let spanish = CallContext {
        language: Language::Es,
        ..context
    };
    assert!(opening(&spanish).starts_with("Hola Ana, le habla Alex"));
    let book = reply(
        &spanish,
        ConversationState::Presentation,
        &analyze("Sí, agendemos una reunión"),
    );
    assert_eq!(book.state, ConversationState::Closing);
    assert!(book.text.contains("agendado"), "{}", book.text);
    assert!(!book.should_continue);
}

#[test]
fn a_warm_call_sums_up_higher_than_a_cold_one() {
    let start = Utc.with_ymd_and_hms(2026, 5, 1, 15, 0, 0).unwrap();
    let warm_texts = [
        "Yes, I have a few minutes",
        "How much does it cost?",
        "Great, let's schedule a demo this week",
    ];
    let cold_texts = ["Who is this?", "It's too expensive", "Not interested"];
    let sum = |texts: &[&str]| {
        let analyses: Vec<TurnAnalysis> = texts.iter().map(|t| analyze(t)).collect();
        let turns: Vec<SummarizedTurn<'_>> = analyses
            .iter()
            .map(|a| SummarizedTurn {
                analysis: a,
                state: ConversationState::Discovery,
            })
            .collect();
        summarize(&turns, Some(start), start + Duration::seconds(750), None)
    };
    let (warm, warm_numbers) = sum(&warm_texts);
    let (cold, cold_numbers) = sum(&cold_texts);
    assert_eq!(warm.duration_minutes, 12.5);
    assert_eq!(warm.total_exchanges, 3);
    assert!(warm.interest_signals.contains(&InterestSignal::DemoInterest));
    assert_eq!(cold.objections_raised, [Objection::Price]);
    assert!(warm_numbers.conversion_probability > cold_numbers.conversion_probability);
    assert!(warm_numbers.engagement_score > cold_numbers.engagement_score);
    assert!(
        warm.recommendation.starts_with("High priority"),
        "{}",
        warm.recommendation
    );
    assert!(
        cold.recommendation.starts_with("Low priority"),
        "{}",
        cold.recommendation
    );
    let (empty, numbers) = summarize(&[], None, start, Some("no_answer".into()));
    assert_eq!(
        (empty.total_exchanges, empty.duration_minutes, numbers.avg_sentiment),
        (0, 0.0, 0.0)
    );
}
