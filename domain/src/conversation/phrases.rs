//! What customers say on calls, in English and Spanish, as normalised phrases (lower case,
//! accents folded, whole words).

/// Common words that tell the two languages apart.
pub const ENGLISH_MARKERS: &[&str] = &[
    "the", "is", "are", "you", "yes", "what", "how", "we", "i", "my", "to", "and", "have", "not", "it", "this",
];
pub const SPANISH_MARKERS: &[&str] = &[
    "el", "la", "los", "es", "que", "si", "como", "nosotros", "yo", "mi", "para", "y", "tengo", "no", "esto", "hola",
    "gracias", "quiero", "usted",
];

/// Said by someone who wants out; stripped before looking for positive words.
pub const NOT_INTERESTED: &[&str] = &[
    "not interested",
    "no thanks",
    "no thank you",
    "remove me",
    "stop calling",
    "do not call",
    "dont call",
    "no me interesa",
    "no gracias",
    "no me llame",
    "no me llamen",
    "no estoy interesado",
    "no estoy interesada",
];

pub const POSITIVE: &[&str] = &[
    "great",
    "good",
    "yes",
    "sure",
    "perfect",
    "excellent",
    "interested",
    "love",
    "thanks",
    "thank you",
    "awesome",
    "happy",
    "sounds good",
    "of course",
    "definitely",
    "bueno",
    "genial",
    "perfecto",
    "excelente",
    "si",
    "claro",
    "gracias",
    "me encanta",
    "me interesa",
    "interesado",
    "interesada",
    "suena bien",
    "por supuesto",
];

pub const NEGATIVE: &[&str] = &[
    "bad",
    "expensive",
    "never",
    "annoyed",
    "problem",
    "terrible",
    "angry",
    "waste",
    "busy",
    "not sure",
    "worried",
    "malo",
    "caro",
    "nunca",
    "molesto",
    "molesta",
    "problema",
    "terrible",
    "enojado",
    "ocupado",
    "ocupada",
    "no estoy seguro",
    "no estoy segura",
    "preocupa",
];

pub const GREETING: &[&str] = &[
    "hi",
    "hello",
    "hey",
    "good morning",
    "good afternoon",
    "hola",
    "buenos dias",
    "buenas tardes",
    "buenas",
];

pub const CONFIRMATION: &[&str] = &[
    "yes",
    "sure",
    "ok",
    "okay",
    "sounds good",
    "of course",
    "si",
    "claro",
    "vale",
    "de acuerdo",
    "por supuesto",
];

pub const PRICING: &[&str] = &[
    "price",
    "prices",
    "pricing",
    "cost",
    "costs",
    "how much",
    "quote",
    "fee",
    "precio",
    "precios",
    "cuanto cuesta",
    "cuanto vale",
    "cuanto sale",
    "valor",
    "cotizacion",
    "costo",
];

pub const SCHEDULING: &[&str] = &[
    "schedule",
    "meeting",
    "demo",
    "appointment",
    "book",
    "visit",
    "calendar",
    "meet",
    "agendar",
    "reunion",
    "cita",
    "visita",
    "demostracion",
    "juntarnos",
    "coordinar",
];

pub const CALLBACK: &[&str] = &[
    "call me back",
    "call back",
    "call later",
    "call me later",
    "bad time",
    "right now im busy",
    "in a meeting",
    "llamame despues",
    "llameme despues",
    "mas tarde",
    "llamar mas tarde",
    "ahora no puedo",
    "en una reunion",
];

pub const INFORMATION: &[&str] = &[
    "tell me more",
    "how does it work",
    "how it works",
    "more information",
    "more info",
    "what do you",
    "explain",
    "details",
    "cuentame mas",
    "como funciona",
    "mas informacion",
    "que ofrecen",
    "explicame",
    "detalles",
];

pub const PRICE_OBJECTION: &[&str] = &[
    "too expensive",
    "expensive",
    "cant afford",
    "can t afford",
    "no budget",
    "too much money",
    "costly",
    "muy caro",
    "caro",
    "no tengo presupuesto",
    "sin presupuesto",
    "no me alcanza",
];

pub const TIMING_OBJECTION: &[&str] = &[
    "not now",
    "not the right time",
    "next year",
    "maybe later",
    "not ready",
    "too soon",
    "ahora no",
    "no es el momento",
    "mas adelante",
    "el proximo ano",
    "no estoy listo",
    "no estoy lista",
];

pub const AUTHORITY_OBJECTION: &[&str] = &[
    "my boss",
    "my partner",
    "my wife",
    "my husband",
    "talk to my",
    "check with",
    "not my decision",
    "the board",
    "mi jefe",
    "mi socio",
    "mi esposa",
    "mi esposo",
    "consultarlo",
    "hablar con",
    "no decido",
];

pub const NEED_OBJECTION: &[&str] = &[
    "dont need",
    "don t need",
    "do not need",
    "we already have",
    "no need",
    "no lo necesito",
    "no necesito",
    "ya tenemos",
    "ya tengo",
];

pub const COMPETITOR_OBJECTION: &[&str] = &[
    "another provider",
    "competitor",
    "other company",
    "already working with",
    "another company",
    "otra empresa",
    "otro proveedor",
    "la competencia",
    "ya trabajamos con",
];

pub const TRUST_OBJECTION: &[&str] = &[
    "scam",
    "dont trust",
    "don t trust",
    "is this legit",
    "sounds fishy",
    "estafa",
    "no confio",
    "desconfio",
    "es seguro",
];

pub const VERBAL_INTEREST: &[&str] = &[
    "interested",
    "sounds good",
    "sounds great",
    "tell me more",
    "i like",
    "great",
    "a few minutes",
    "me interesa",
    "suena bien",
    "me gusta",
    "cuentame mas",
    "interesado",
    "interesada",
    "unos minutos",
];

pub const DEMO_INTEREST: &[&str] = &[
    "demo",
    "demonstration",
    "show me",
    "see it",
    "demostracion",
    "ver como funciona",
    "mostrar",
];

pub const TIMELINE_INTEREST: &[&str] = &[
    "this week",
    "this month",
    "soon",
    "next week",
    "asap",
    "right away",
    "urgent",
    "esta semana",
    "este mes",
    "pronto",
    "la proxima semana",
    "urgente",
    "cuanto antes",
];

pub const BUDGET_SIGNAL: &[&str] = &[
    "budget",
    "presupuesto",
    "financing",
    "financiamiento",
    "credito",
    "preaprobado",
    "pre approved",
    "cash",
    "contado",
];
