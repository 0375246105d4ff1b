//! Fills an empty samverkan database with a synthetic collaboration at a benchmark size, fast
//! (multi-row inserts as wide as the parameter limit allows, one transaction per batch of
//! 500 meetings, the next batch made on another thread meanwhile, memory flat), with realistic Swedish text so that search is
//! honest:
//!
//!     SAMVERKAN_DATABASE_URL=... samverkan-load S     # 10,000 decisions
//!     SAMVERKAN_DATABASE_URL=... samverkan-load M     # 100,000
//!     SAMVERKAN_DATABASE_URL=... samverkan-load L     # 1,000,000
//!
//! For N decisions: 300 organisations (a region, 290 municipalities, 9 groups), 5,000 members,
//! N/10 meetings of 5 agenda items with 2 decisions each (one in ten an open assignment), the
//! decisions' search index (documents and postings), N indicator values (290 municipalities x 20 years per indicator)
//! and N change events. Prints one line per table with its time, and a total; writes the ids
//! the scenarios pick from to `ids/` beside the database (or in `SAMVERKAN_BENCH_IDS`).

mod rows;
mod values;
mod words;

use std::time::{Duration, Instant};

use rows::{Batch, Generator};
use samverkan::db::DbConfig;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, Iterable, PaginatorTrait,
    TransactionTrait,
};

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Bound parameters per multi-row insert (within SQLite's 32,766 and PostgreSQL's 65,535).
const PARAMETERS: usize = 30_000;
/// Meetings per batch (about 5,000 decisions), one transaction each.
const MEETINGS_PER_BATCH: usize = 500;
/// Indicator values per transaction.
const VALUES_PER_BATCH: usize = 50_000;

/// Rows written and time spent per table, in the order first written.
#[derive(Default)]
struct Tally(Vec<(&'static str, usize, Duration)>);

impl Tally {
    fn add(&mut self, table: &'static str, rows: usize, took: Duration) {
        match self.0.iter_mut().find(|(t, _, _)| *t == table) {
            Some((_, r, d)) => {
                *r += rows;
                *d += took;
            }
            None => self.0.push((table, rows, took)),
        }
    }
}

/// Inserts `models` in multi-row inserts as wide as the parameter limit allows.
async fn insert_all<C, M, A>(
    db: &C,
    tally: &mut Tally,
    table: &'static str,
    models: Vec<M>,
) -> Result<(), Error>
where
    C: ConnectionTrait,
    M: IntoActiveModel<A>,
    A: ActiveModelTrait + Send,
{
    let started = Instant::now();
    let count = models.len();
    let per_insert = PARAMETERS / <A::Entity as EntityTrait>::Column::iter().count().max(1);
    let mut rows = models
        .into_iter()
        .map(IntoActiveModel::into_active_model)
        .peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(per_insert).collect();
        A::Entity::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    tally.add(table, count, started.elapsed());
    Ok(())
}

/// Writes postings with COPY (PostgreSQL): the narrow table with the most rows, several times
/// faster than multi-row inserts.
async fn copy_postings(
    db: &sea_orm::DatabaseConnection,
    tally: &mut Tally,
    postings: &[samverkan::entities::search_posting::Model],
) -> Result<(), Error> {
    use std::fmt::Write;
    let started = Instant::now();
    // Stems are letters and digits, types snake_case: nothing in a row needs escaping.
    let mut text = String::with_capacity(postings.len() * 64);
    for p in postings {
        writeln!(
            text,
            "{}\t{}\t{}\t{}\t{}",
            p.stem,
            p.entity_type.as_str(),
            p.entity_id,
            p.score,
            if p.public { 't' } else { 'f' }
        )?;
    }
    let mut connection = db.get_postgres_connection_pool().acquire().await?;
    let mut copy = connection
        .copy_in_raw(
            "COPY search_postings (stem, entity_type, entity_id, score, public) FROM STDIN",
        )
        .await?;
    copy.send(text.into_bytes()).await?;
    copy.finish().await?;
    tally.add("search_postings", postings.len(), started.elapsed());
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
    let config = DbConfig::new(&url, 1, Duration::from_secs(30))?;
    let db = config.connect().await?;
    samverkan::db::migrate(&db).await?;
    if samverkan::entities::decision::Entity::find()
        .count(&db)
        .await?
        > 0
    {
        return Err("the database already holds decisions: load into an empty one".into());
    }
    // A bulk load that can be redone: no waiting for the disk on commit.
    if config.is_postgres() {
        db.execute_unprepared("SET synchronous_commit = off")
            .await?;
    } else {
        db.execute_unprepared("PRAGMA synchronous = OFF; PRAGMA cache_size = -1000000")
            .await?;
    }
    let started = Instant::now();
    let mut tally = Tally::default();
    let mut generator = Generator::new(n);
    let organisations = generator.organisations.clone();
    insert_all(&db, &mut tally, "organisations", organisations).await?;
    let members = generator.members();
    insert_all(&db, &mut tally, "members", members).await?;

    // Meetings and everything under them: made on another thread while the last batch is
    // written.
    let (sender, mut batches) = tokio::sync::mpsc::channel::<Batch>(2);
    let maker = std::thread::spawn(move || {
        while let Some(batch) = generator.meetings(MEETINGS_PER_BATCH) {
            if sender.blocking_send(batch).is_err() {
                break;
            }
        }
        generator
    });
    while let Some(b) = batches.recv().await {
        let txn = db.begin().await?;
        insert_all(&txn, &mut tally, "meetings", b.meetings).await?;
        insert_all(&txn, &mut tally, "agenda_items", b.items).await?;
        insert_all(&txn, &mut tally, "decisions", b.decisions).await?;
        insert_all(&txn, &mut tally, "search_documents", b.search).await?;
        insert_all(&txn, &mut tally, "change_events", b.events).await?;
        if config.is_postgres() {
            txn.commit().await?;
            copy_postings(&db, &mut tally, &b.postings).await?;
        } else {
            insert_all(&txn, &mut tally, "search_postings", b.postings).await?;
            txn.commit().await?;
        }
    }
    let mut generator = maker.join().map_err(|_| "the generator thread failed")?;

    let indicators = generator.indicators();
    let indicator_ids: Vec<String> = indicators.iter().map(|i| i.id.to_string()).collect();
    insert_all(&db, &mut tally, "indicators", indicators.clone()).await?;
    for from in (0..n).step_by(VALUES_PER_BATCH) {
        let values = generator.values(&indicators, from, from + VALUES_PER_BATCH);
        let txn = db.begin().await?;
        insert_all(&txn, &mut tally, "indicator_values", values).await?;
        txn.commit().await?;
    }
    let analyse = Instant::now();
    if config.is_postgres() {
        // Events were inserted with their sequence numbers: move the sequence past them.
        db.execute_unprepared(
            "SELECT setval(pg_get_serial_sequence('change_events', 'seq'), \
             (SELECT MAX(seq) FROM change_events))",
        )
        .await?;
    }
    // VACUUM sets PostgreSQL's visibility map, without which no scan is index-only (autovacuum
    // does the same in service, a while after a bulk load).
    db.execute_unprepared(if config.is_postgres() {
        "VACUUM ANALYZE"
    } else {
        "ANALYZE"
    })
    .await?;
    tally.add("(vacuum, analyze)", 0, analyse.elapsed());
    for (table, rows, took) in &tally.0 {
        eprintln!("{table:>18}: {rows:>9} rows in {took:.1?}");
    }
    std::fs::create_dir_all(&ids_dir)?;
    let mut ids = generator.ids();
    ids.push(("indicators", indicator_ids));
    for (name, list) in ids {
        std::fs::write(format!("{ids_dir}/{name}.txt"), list.join("\n") + "\n")?;
    }
    eprintln!("loaded {n} decisions' record in {:.1?}", started.elapsed());
    Ok(())
}
