//! An inverted index for search: one row per (stem, record) with the stem's score in that
//! record and whether everyone may find the record, so that a query reads the postings of its
//! rarest stem in score order instead of scanning every record's text. Records indexed before
//! this migration get their postings from the stems `search_documents` already holds. A
//! record's postings are found by the stems its document holds (the primary key), so no
//! further index is needed.

use sea_orm::{ConnectionTrait, FromQueryResult, Statement};
use sea_orm_migration::{prelude::*, schema::*};

use crate::postings::{postings, words};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SearchPostings {
    Table,
    Stem,
    EntityType,
    EntityId,
    Score,
    Public,
}

/// Rows written per INSERT while filling the index.
const BATCH: usize = 1000;

#[derive(FromQueryResult)]
struct Document {
    entity_type: String,
    entity_id: uuid::Uuid,
    public: bool,
    title: String,
    terms: String,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use SearchPostings as P;
        // Both indexes cover what a query reads, so that neither the count nor the join visits
        // the table: the key (stem, type, id) with the score, the rank (stem, score, type, id)
        // with the visibility.
        let backend = manager.get_database_backend();
        let sqlite = backend == sea_orm::DatabaseBackend::Sqlite;
        let mut table = Table::create();
        table
            .table(P::Table)
            .col(text(P::Stem))
            .col(text(P::EntityType))
            .col(uuid(P::EntityId))
            .col(integer(P::Score))
            .col(boolean(P::Public));
        if sqlite {
            // The primary key is the table (it holds every column): one B-tree less to write.
            table
                .primary_key(
                    Index::create()
                        .col(P::Stem)
                        .col(P::EntityType)
                        .col(P::EntityId),
                )
                .extra("WITHOUT ROWID");
        }
        manager.create_table(table.to_owned()).await?;
        if !sqlite {
            manager
                .get_connection()
                .execute_unprepared(
                    "ALTER TABLE search_postings ADD CONSTRAINT search_postings_pkey \
                     PRIMARY KEY (stem, entity_type, entity_id) INCLUDE (score)",
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("search_postings_rank")
                    .table(P::Table)
                    .col(P::Stem)
                    .col((P::Score, IndexOrder::Desc))
                    .col(P::EntityType)
                    .col(P::EntityId)
                    .col(P::Public)
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let documents = Document::find_by_statement(Statement::from_string(
            backend,
            "SELECT entity_type, entity_id, public, title, terms FROM search_documents",
        ))
        .all(db)
        .await?;
        let mut insert = fresh_insert();
        let mut rows = 0;
        for d in documents {
            for (stem, score) in postings(&d.terms, words(&d.title).count()) {
                insert.values_panic([
                    stem.into(),
                    d.entity_type.clone().into(),
                    d.entity_id.into(),
                    score.into(),
                    d.public.into(),
                ]);
                rows += 1;
                if rows == BATCH {
                    db.execute(&insert).await?;
                    insert = fresh_insert();
                    rows = 0;
                }
            }
        }
        if rows > 0 {
            db.execute(&insert).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SearchPostings::Table).to_owned())
            .await
    }
}

fn fresh_insert() -> InsertStatement {
    use SearchPostings as P;
    Query::insert()
        .into_table(P::Table)
        .columns([P::Stem, P::EntityType, P::EntityId, P::Score, P::Public])
        .to_owned()
}
