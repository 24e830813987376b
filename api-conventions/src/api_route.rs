//! Routes as data: the same list registers the endpoints and tells the OpenAPI test which
//! endpoints exist, so the two cannot drift apart.

use actix_web::http::Method;
use actix_web::web::{self, ServiceConfig};
use actix_web::{FromRequest, Handler, Responder, Route};

/// One endpoint: its method, its path pattern and the handler that serves it.
pub struct ApiRoute {
    pub method: Method,
    pub path: &'static str,
    route: Route,
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
}

/// Registers every route of `routes` on `cfg`. Routes are added per method, so one path may be
/// served by several parts (the command side's POST, the query side's GET) in one app.
pub fn register_routes(cfg: &mut ServiceConfig, routes: Vec<ApiRoute>) {
    for route in routes {
        cfg.route(route.path, route.route);
    }
}
