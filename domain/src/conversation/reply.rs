use serde::{Deserialize, Serialize};

use super::{Intent, Language, Objection, TurnAnalysis};

/// Where a call's conversation stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConversationState {
    #[default]
    Greeting,
    Discovery,
    Qualification,
    Presentation,
    ObjectionHandling,
    Closing,
}

/// What the assistant knows about whom it calls.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CallContext {
    pub lead_name: Option<String>,
    pub company: Option<String>,
    pub purpose: Option<String>,
    pub assistant_name: String,
    pub language: Language,
}

/// The assistant's answer to one utterance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    pub text: String,
    /// Where the conversation goes next.
    pub state: ConversationState,
    /// False once the customer asked to end, or the meeting is being booked.
    pub should_continue: bool,
}

/// What the assistant says when the customer picks up.
pub fn opening(context: &CallContext) -> String {
    let name = context.lead_name.as_deref();
    let assistant = &context.assistant_name;
    match context.language {
        Language::En => {
            let about = context.purpose.as_deref().map_or_else(
                || "about your enquiry".to_string(),
                |p| format!("about {}", lowercase_first(p)),
            );
            let hello = name.map_or_else(|| "Hi".to_string(), |n| format!("Hi {n}"));
            format!("{hello}, this is {assistant} calling {about}. I hope I'm catching you at a good time!")
        }
        Language::Es => {
            let about = context.purpose.as_deref().map_or_else(
                || "por su consulta".to_string(),
                |p| format!("por {}", lowercase_first(p)),
            );
            let hello = name.map_or_else(|| "Hola".to_string(), |n| format!("Hola {n}"));
            format!("{hello}, le habla {assistant}, le llamo {about}. ¿Es un buen momento para conversar?")
        }
    }
}

/// The assistant's rule-based answer to what the customer just said, in `state`.
pub fn reply(context: &CallContext, state: ConversationState, analysis: &TurnAnalysis) -> Reply {
    use ConversationState::*;
    let language = context.language;
    let (line, next, go_on) = match analysis.intent {
        Intent::NotInterested => (Line::Goodbye, Closing, false),
        Intent::CallbackRequest => (Line::Callback, Closing, false),
        Intent::ScheduleRequest => (Line::Book, Closing, false),
        Intent::PricingInquiry => (Line::Pricing, Presentation, true),
        Intent::Objection => (Line::Objection(analysis.objections[0]), ObjectionHandling, true),
        Intent::InformationRequest => (Line::Present, Presentation, true),
        _ => match state {
            Greeting => (Line::Discover, Discovery, true),
            Discovery => (Line::Qualify, Qualification, true),
            Qualification | ObjectionHandling => (Line::Present, Presentation, true),
            Presentation | Closing => (Line::Close, Closing, true),
        },
    };
    Reply {
        text: line.say(language, context),
        state: next,
        should_continue: go_on,
    }
}

/// The assistant's lines.
enum Line {
    Discover,
    Qualify,
    Present,
    Close,
    Pricing,
    Book,
    Callback,
    Goodbye,
    Objection(Objection),
}

impl Line {
    fn say(&self, language: Language, context: &CallContext) -> String {
        let company_en = context
            .company
            .as_deref()
            .map_or_else(|| "your team".to_string(), str::to_string);
        let company_es = context
            .company
            .as_deref()
            .map_or_else(|| "su equipo".to_string(), str::to_string);
        match (language, self) {
            (Language::En, Line::Discover) => format!(
                "Great! I'm reaching out because {company_en} may be looking for a better way to follow up with leads. What challenges are you facing with your sales process today?"
            ),
            (Language::En, Line::Qualify) => {
                "That's helpful, thank you. What timeline and budget do you have in mind for a solution?".to_string()
            }
            (Language::En, Line::Present) => format!(
                "Based on what you've shared, we can help {company_en} answer every lead in minutes and focus on the ones ready to buy. Would a short demo be useful?"
            ),
            (Language::En, Line::Close) => {
                "Would you like to schedule a 30-minute meeting this week to see it in action?".to_string()
            }
            (Language::En, Line::Pricing) => "Plans depend on your lead volume, and I can prepare a quote for your case. Shall we book 15 minutes to go over it?".to_string(),
            (Language::En, Line::Book) => "Excellent! I'll set that up. Does tomorrow morning or Thursday afternoon work better for you?".to_string(),
            (Language::En, Line::Callback) => "No problem at all. When would be a better time for me to call you back?".to_string(),
            (Language::En, Line::Goodbye) => "I understand, thank you for your time. Have a great day!".to_string(),
            (Language::En, Line::Objection(Objection::Price)) => "I understand budget matters. Many clients recover the cost within the first month from leads they used to miss. Would it help to see the numbers for your case?".to_string(),
            (Language::En, Line::Objection(Objection::Timing)) => "That's completely fair. When would be a better moment to revisit this? I can follow up then.".to_string(),
            (Language::En, Line::Objection(Objection::Authority)) => "Of course. Would it help if I sent a short summary you can share, or set up a call with both of you?".to_string(),
            (Language::En, Line::Objection(Objection::Need)) => "Understood. So I learn from you: how are you handling new leads today?".to_string(),
            (Language::En, Line::Objection(Objection::Competitor)) => "Good to know. What would you improve about your current solution, if you could?".to_string(),
            (Language::En, Line::Objection(Objection::Trust)) => "That's a fair concern. I can send you references and our terms in writing before anything else.".to_string(),
            (Language::Es, Line::Discover) => format!(
                "¡Excelente! Le contacto porque {company_es} podría estar buscando una mejor forma de dar seguimiento a sus clientes. ¿Qué desafíos tiene hoy en su proceso de ventas?"
            ),
            (Language::Es, Line::Qualify) => "Muy útil, gracias. ¿Qué plazo y presupuesto tiene en mente?".to_string(),
            (Language::Es, Line::Present) => format!(
                "Con lo que me cuenta, podemos ayudar a {company_es} a responder cada consulta en minutos y enfocarse en quienes están listos para comprar. ¿Le serviría una demostración breve?"
            ),
            (Language::Es, Line::Close) => "¿Le gustaría agendar una reunión de 30 minutos esta semana para verlo en acción?".to_string(),
            (Language::Es, Line::Pricing) => "Los planes dependen de su volumen, y puedo prepararle una cotización. ¿Agendamos 15 minutos para revisarla?".to_string(),
            (Language::Es, Line::Book) => "¡Perfecto! Lo dejo agendado. ¿Le acomoda mañana en la mañana o el jueves en la tarde?".to_string(),
            (Language::Es, Line::Callback) => "No hay problema. ¿Cuándo sería un mejor momento para volver a llamarle?".to_string(),
            (Language::Es, Line::Goodbye) => "Entiendo, muchas gracias por su tiempo. ¡Que tenga un buen día!".to_string(),
            (Language::Es, Line::Objection(Objection::Price)) => "Entiendo que el presupuesto es importante. Muchos clientes recuperan la inversión el primer mes. ¿Le sirve ver los números para su caso?".to_string(),
            (Language::Es, Line::Objection(Objection::Timing)) => "Es muy razonable. ¿Cuándo sería un mejor momento para retomarlo? Le puedo contactar entonces.".to_string(),
            (Language::Es, Line::Objection(Objection::Authority)) => "Por supuesto. ¿Le envío un resumen para compartir, o coordinamos una llamada con ambos?".to_string(),
            (Language::Es, Line::Objection(Objection::Need)) => "Entendido. Para aprender de usted: ¿cómo gestionan hoy las nuevas consultas?".to_string(),
            (Language::Es, Line::Objection(Objection::Competitor)) => "Bueno saberlo. ¿Qué mejoraría de su solución actual, si pudiera?".to_string(),
            (Language::Es, Line::Objection(Objection::Trust)) => "Es una preocupación válida. Le puedo enviar referencias y nuestras condiciones por escrito antes de cualquier paso.".to_string(),
        }
    }
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.trim().chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
