//! Routes as data: the same list registers the endpoints and tells the OpenAPI test which
//! endpoints exist, so the two cannot drift apart.

use actix_web::http::Method;
use actix_web::middleware::from_fn;
use actix_web::web::{self, ServiceConfig};
use actix_web::{guard, FromRequest, Handler, Responder, Route};
use utoipa::openapi::{RefOr, Schema};
use utoipa::ToSchema;

use crate::read_your_writes::{read_your_writes, QueryCheck, Reads};

/// One endpoint: its method, its path pattern, the handler that serves it, and what the
/// OpenAPI document says about it.
pub struct ApiRoute {
    pub method: Method,
    pub path: &'static str,
    route: Route,
    pub doc: RouteDoc,
}

/// What the OpenAPI document says about a route.
#[derive(Clone, Default)]
pub struct RouteDoc {
    pub summary: &'static str,
    /// Needs no credentials.
    pub public: bool,
    /// The JSON body it accepts.
    pub request: Option<SchemaSource>,
    /// Its success status and JSON body (none for 204, or for text like `/metrics`).
    pub response: Option<(u16, Option<SchemaSource>)>,
    /// An object whose properties are the query parameters.
    pub query: Option<SchemaSource>,
    /// May answer 409 (a lost race, a taken name).
    pub conflicts: bool,
    /// Answers text of this media type (`text/plain`, `text/csv`), not JSON.
    pub text: Option<&'static str>,
    /// Takes its body as a file upload (`multipart/form-data` or the file's own type), not JSON.
    pub upload: Option<&'static str>,
    /// What a GET is served from: it honours `min_position` against it.
    pub reads: Option<Reads>,
    /// Checks the route's own query before any read-your-writes wait.
    pub query_check: Option<QueryCheck>,
    /// The body must give at least one of these fields (each optional on its own).
    pub one_of_fields: &'static [&'static str],
    /// The body may be left out.
    pub body_optional: bool,
    /// Numeric body fields of which at least one must be above zero.
    pub one_positive_fields: &'static [&'static str],
}

/// A schema, by name, with everything it refers to.
#[derive(Clone, Copy)]
pub struct SchemaSource {
    pub name: fn() -> String,
    pub collect: fn(&mut Vec<(String, RefOr<Schema>)>),
}

impl SchemaSource {
    /// The schema of `T`.
    pub fn of<T: ToSchema>() -> Self {
        Self {
            name: || T::name().into_owned(),
            collect: |schemas| {
                schemas.push((T::name().into_owned(), T::schema()));
                T::schemas(schemas);
            },
        }
    }
}

macro_rules! constructor {
    ($name:ident, $method:ident, $route:path) => {
        /// An endpoint for this method at `path`.
        pub fn $name<F, Args>(path: &'static str, handler: F) -> Self
        where
            F: Handler<Args>,
            Args: FromRequest + 'static,
            F::Output: Responder + 'static,
        {
            Self {
                method: Method::$method,
                path,
                route: $route().to(handler),
                doc: RouteDoc::default(),
            }
        }
    };
}

impl ApiRoute {
    constructor!(get, GET, web::get);
    constructor!(post, POST, web::post);
    constructor!(put, PUT, web::put);
    constructor!(patch, PATCH, web::patch);
    constructor!(delete, DELETE, web::delete);

    /// One line on what the endpoint does.
    pub fn summary(mut self, summary: &'static str) -> Self {
        self.doc.summary = summary;
        self
    }

    /// Callable without credentials.
    pub fn public(mut self) -> Self {
        self.doc.public = true;
        self
    }

    /// Accepts a JSON body shaped like `T`.
    pub fn accepts<T: ToSchema>(mut self) -> Self {
        self.doc.request = Some(SchemaSource::of::<T>());
        self
    }

    /// Answers `status` with a JSON body shaped like `T`.
    pub fn answers<T: ToSchema>(mut self, status: u16) -> Self {
        self.doc.response = Some((status, Some(SchemaSource::of::<T>())));
        self
    }

    /// Answers `status` with no body.
    pub fn answers_empty(mut self, status: u16) -> Self {
        self.doc.response = Some((status, None));
        self
    }

    /// Answers 200 with plain text.
    pub fn answers_text(self) -> Self {
        self.answers_media("text/plain")
    }

    /// Answers 200 with text of `media_type`, e.g. `text/csv`.
    pub fn answers_media(mut self, media_type: &'static str) -> Self {
        self.doc.response = Some((200, None));
        self.doc.text = Some(media_type);
        self
    }

    /// Accepts a file of `media_type` as a multipart form shaped like `T`, or as the body itself.
    pub fn accepts_upload<T: ToSchema>(mut self, media_type: &'static str) -> Self {
        self.doc.request = Some(SchemaSource::of::<T>());
        self.doc.upload = Some(media_type);
        self
    }

    /// Takes the query parameters `T` lists as its properties.
    pub fn query<T: ToSchema>(mut self) -> Self {
        self.doc.query = Some(SchemaSource::of::<T>());
        self
    }

    /// May answer 409.
    pub fn may_conflict(mut self) -> Self {
        self.doc.conflicts = true;
        self
    }

    /// A read served from these read models: `min_position` waits for each of them.
    pub fn reads(mut self, models: &'static [crate::ReadModel]) -> Self {
        self.doc.reads = Some(Reads::Models(models));
        self
    }

    /// A read served from the command side's own rows, current as soon as a command answers:
    /// `min_position` is accepted and always reached.
    pub fn reads_store(mut self) -> Self {
        self.doc.reads = Some(Reads::Store);
        self
    }

    /// The body must give at least one of `fields`.
    pub fn needs_one_of(mut self, fields: &'static [&'static str]) -> Self {
        self.doc.one_of_fields = fields;
        self
    }

    /// The body may be left out (the handler takes an `OptionalJson`).
    pub fn body_optional(mut self) -> Self {
        self.doc.body_optional = true;
        self
    }

    /// At least one of the body's numeric `fields` must be above zero.
    pub fn needs_one_positive(mut self, fields: &'static [&'static str]) -> Self {
        self.doc.one_positive_fields = fields;
        self
    }

    /// Checks the query with `check` before any read-your-writes wait.
    pub fn checks_query_first(mut self, check: QueryCheck) -> Self {
        self.doc.query_check = Some(check);
        self
    }
}

/// Registers every route of `routes` on `cfg`. Routes are added per method, so one path may be
/// served by several parts (the command side's POST, the query side's GET) in one app.
pub fn register_routes(cfg: &mut ServiceConfig, routes: Vec<ApiRoute>) {
    for route in routes {
        match route.doc.reads {
            // The method guard sits on the resource, as `cfg.route` puts it, so that another
            // method of the same path falls through to the part that serves it.
            Some(reads) => {
                let check = route.doc.query_check;
                cfg.service(
                    web::resource(route.path)
                        .guard(guard::Method(route.method.clone()))
                        .wrap(from_fn(move |req, next| read_your_writes(reads, check, req, next)))
                        .route(route.route),
                );
            }
            None => {
                cfg.route(route.path, route.route);
            }
        }
    }
}
