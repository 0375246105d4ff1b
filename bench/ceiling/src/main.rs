//! The ceiling of our stack: actix-web 4 and sea-orm with the service's own pool layout (one
//! lazily connected pool per worker, no test before acquire, from `samverkan::db`), serving the
//! same decision rows by id and the same 50-row keyset page from the same database, with no
//! authentication, no audit, no middleware and no envelope. What samverkan adds is measured
//! against this, in the same run (`bench/run.sh`).
//!
//!     SAMVERKAN_DATABASE_URL=... samverkan-ceiling 127.0.0.1:18190
//!
//! Routes: `GET /static` (a fixed JSON body), `GET /decisions/{id}`,
//! `GET /decisions?after=<uuid>&limit=50` (by id, ascending).

use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, get, web};
use samverkan::{db::DbConfig, entities::decision};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Deserialize;
use uuid::Uuid;

#[get("/static")]
async fn fixed() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(r#"{"status":"ok"}"#)
}

#[get("/decisions/{id}")]
async fn by_id(db: web::Data<DatabaseConnection>, id: web::Path<Uuid>) -> HttpResponse {
    match decision::Entity::find_by_id(id.into_inner())
        .one(db.get_ref())
        .await
    {
        Ok(Some(row)) => HttpResponse::Ok().json(row),
        Ok(None) => HttpResponse::NotFound().finish(),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}

#[derive(Deserialize)]
struct PageQuery {
    after: Option<Uuid>,
    limit: Option<u64>,
}

#[get("/decisions")]
async fn page(db: web::Data<DatabaseConnection>, q: web::Query<PageQuery>) -> HttpResponse {
    let mut select = decision::Entity::find();
    if let Some(after) = q.after {
        select = select.filter(decision::Column::Id.gt(after));
    }
    match select
        .order_by_asc(decision::Column::Id)
        .limit(q.limit.unwrap_or(50).min(200))
        .all(db.get_ref())
        .await
    {
        Ok(rows) => HttpResponse::Ok().json(rows),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let bind = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18190".into());
    let url = std::env::var("SAMVERKAN_DATABASE_URL")
        .map_err(|_| std::io::Error::other("set SAMVERKAN_DATABASE_URL"))?;
    let config = DbConfig::new(&url, 8, Duration::from_secs(3)).map_err(std::io::Error::other)?;
    HttpServer::new(move || {
        // One pool per worker, as samverkan builds them.
        App::new()
            .app_data(web::Data::new(config.connect_lazy()))
            .service(fixed)
            .service(by_id)
            .service(page)
    })
    .bind(bind)?
    .run()
    .await
}
