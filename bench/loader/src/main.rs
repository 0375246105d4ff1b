//! Fills an empty samverkan database with a synthetic collaboration at a benchmark size, fast
//! (multi-row inserts in large transactions), with realistic Swedish text so that search is
//! honest:
//!
//!     SAMVERKAN_DATABASE_URL=... samverkan-load S     # 10,000 decisions
//!     SAMVERKAN_DATABASE_URL=... samverkan-load M     # 100,000
//!     SAMVERKAN_DATABASE_URL=... samverkan-load L     # 1,000,000
//!
//! For N decisions: 300 organisations (a region, 290 municipalities, 9 groups), 5,000 members,
//! N/10 meetings of 5 agenda items with 2 decisions each (one in ten an open assignment), the
//! decisions' search index, N indicator values (290 municipalities x 20 years per indicator)
//! and N change events. Prints one line per table with its time, and a total; writes the ids
//! the scenarios pick from to `ids/` beside the database (or in `SAMVERKAN_BENCH_IDS`).

mod rows;
mod words;

use std::time::Instant;

use samverkan::db::DbConfig;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    PaginatorTrait, TransactionTrait,
};

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Rows per multi-row insert (within every database's limit on bound parameters).
const CHUNK: usize = 400;

/// Inserts `models` in chunks, in one transaction per 50 chunks.
async fn insert_all<M, A>(db: &DatabaseConnection, models: Vec<M>) -> Result<(), Error>
where
    M: IntoActiveModel<A>,
    A: ActiveModelTrait + Send,
{
    let mut rows = models
        .into_iter()
        .map(IntoActiveModel::into_active_model)
        .peekable();
    while rows.peek().is_some() {
        let txn = db.begin().await?;
        for _ in 0..50 {
            let chunk: Vec<A> = rows.by_ref().take(CHUNK).collect();
            if chunk.is_empty() {
                break;
            }
            A::Entity::insert_many(chunk)
                .exec_without_returning(&txn)
                .await?;
        }
        txn.commit().await?;
    }
    Ok(())
}

fn size(arg: &str) -> Result<usize, Error> {
    Ok(match arg {
        "S" | "s" => 10_000,
        "M" | "m" => 100_000,
        "L" | "l" => 1_000_000,
        n => n.parse()?,
    })
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let n = size(&std::env::args().nth(1).unwrap_or_else(|| "S".into()))?;
    let url = std::env::var("SAMVERKAN_DATABASE_URL").map_err(|_| "set SAMVERKAN_DATABASE_URL")?;
    let ids_dir = std::env::var("SAMVERKAN_BENCH_IDS").unwrap_or_else(|_| "ids".into());
    // One connection: migrations need it on SQLite (a schema per connection), and the inserts
    // run one after the other anyway.
    let config = DbConfig::new(&url, 1, std::time::Duration::from_secs(30))?;
    let db = config.connect().await?;
    samverkan::db::migrate(&db).await?;
    if samverkan::entities::decision::Entity::find()
        .count(&db)
        .await?
        > 0
    {
        return Err("the database already holds decisions: load into an empty one".into());
    }
    let started = Instant::now();
    let data = rows::generate(n);
    eprintln!(
        "generated {n} decisions' record in {:.1?}",
        started.elapsed()
    );
    let step = Instant::now();
    let rows::Record {
        organisations,
        members,
        meetings,
        items,
        decisions,
        search,
        indicators,
        values,
        events,
        ids,
    } = data;
    macro_rules! load {
        ($name:literal, $rows:expr) => {{
            let t = Instant::now();
            let count = $rows.len();
            insert_all(&db, $rows).await?;
            eprintln!("{:>18}: {count:>9} rows in {:.1?}", $name, t.elapsed());
        }};
    }
    load!("organisations", organisations);
    load!("members", members);
    load!("meetings", meetings);
    load!("agenda_items", items);
    load!("decisions", decisions);
    load!("search_documents", search);
    load!("indicators", indicators);
    load!("indicator_values", values);
    load!("change_events", events);
    if config.is_postgres() {
        // Events were inserted with their sequence numbers: move the sequence past them.
        db.execute_unprepared(
            "SELECT setval(pg_get_serial_sequence('change_events', 'seq'), \
             (SELECT MAX(seq) FROM change_events))",
        )
        .await?;
        db.execute_unprepared("ANALYZE").await?;
    } else {
        db.execute_unprepared("ANALYZE").await?;
    }
    std::fs::create_dir_all(&ids_dir)?;
    for (name, list) in ids {
        std::fs::write(format!("{ids_dir}/{name}.txt"), list.join("\n") + "\n")?;
    }
    eprintln!(
        "loaded in {:.1?} (inserts {:.1?})",
        started.elapsed(),
        step.elapsed()
    );
    Ok(())
}
