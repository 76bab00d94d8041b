//! The router's routes, kept as a list as they are added.
//!
//! axum keeps no list of its routes to walk, and a test that must cover every route (the
//! authorization matrix) cannot trust a copy of the list kept by hand. So the routes are
//! added through [`RouteTable`], which has axum's own `.route(path, method_router)` shape
//! and notes each path on its way into the router.

use axum::Router;
use axum::routing::MethodRouter;

use crate::AppState;

/// A router being built, with the path of every route added to it so far.
pub struct RouteTable {
    router: Router<AppState>,
    paths: Vec<String>,
}

impl Default for RouteTable {
    fn default() -> Self {
        Self::new()
    }
}

impl RouteTable {
    /// No routes yet.
    pub fn new() -> Self {
        RouteTable {
            router: Router::new(),
            paths: Vec::new(),
        }
    }

    /// Adds `method_router` at `path`, as [`Router::route`] does.
    pub fn route(mut self, path: &str, method_router: MethodRouter<AppState>) -> Self {
        self.router = self.router.route(path, method_router);
        self.paths.push(path.to_string());
        self
    }

    /// Adds every route of `inner` under `prefix`, as [`Router::nest`] does.
    pub fn nest(mut self, prefix: &str, inner: RouteTable) -> Self {
        self.router = self.router.nest(prefix, inner.router);
        self.paths
            .extend(inner.paths.into_iter().map(|p| format!("{prefix}{p}")));
        self
    }

    /// The router, for the layers that go around every route.
    pub fn into_router(self) -> Router<AppState> {
        self.router
    }

    /// The path of every route, in the order they were added (nested ones with their prefix).
    pub fn into_paths(self) -> Vec<String> {
        self.paths
    }
}
