//! Where attached files are kept: object storage through the `object_store` crate. A directory
//! beside the SQLite file by default (`data/files` with PostgreSQL); S3-compatible storage with
//! `SAMVERKAN_STORAGE_URL=s3://bucket[/prefix]` and the usual `AWS_*` variables
//! (`AWS_ENDPOINT`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`,
//! `AWS_ALLOW_HTTP`).
//!
//! Files are received as a stream: counted against the size limit, hashed (SHA-256) and
//! checked against their declared type while they are written, never held whole in memory.

use std::{ops::Range, path::PathBuf, sync::Arc};

use actix_web::web::Bytes;
use futures_util::{Stream, StreamExt, stream::BoxStream};
use object_store::{
    GetOptions, GetRange, ObjectStore, ObjectStoreExt, aws::AmazonS3Builder, buffered::BufWriter,
    local::LocalFileSystem, path::Path,
};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

use crate::domain::attachment::SNIFF_BYTES;

/// The parts of an upload sent to S3 at a time (its smallest multipart part is 5 MiB).
const PART_BYTES: usize = 5 * 1024 * 1024;

/// The configured object store.
#[derive(Clone, Debug)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
    prefix: Option<Path>,
}

/// The object store and the size limit of attached files, as the handlers reach them.
#[derive(Clone, Debug)]
pub struct Uploads {
    /// Where files are kept.
    pub storage: Storage,
    /// The largest file taken, in bytes.
    pub max_bytes: u64,
}

/// A file received whole.
#[derive(Debug, Clone)]
pub struct Received {
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256, in lowercase hex.
    pub sha256: String,
}

/// Why a file was not kept.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// It is larger than the limit (the limit in bytes).
    #[error("the file exceeds the limit of {0} bytes")]
    TooLarge(u64),
    /// It is empty.
    #[error("the file is empty")]
    Empty,
    /// Its first bytes do not agree with its declared type.
    #[error("the file's content does not match its declared type")]
    Mismatch,
    /// The client's body broke off.
    #[error("the request body broke off: {0}")]
    Body(String),
    /// The object store failed.
    #[error("object storage: {0}")]
    Storage(String),
}

impl Storage {
    /// The store `url` names (`s3://bucket[/prefix]`, `file:///dir` or a directory), or by
    /// default the directory `files` beside the SQLite file (`data/files` otherwise), created
    /// when missing.
    pub fn open(url: Option<&str>, sqlite_file: Option<PathBuf>) -> Result<Self, String> {
        match url.map(str::trim).filter(|u| !u.is_empty()) {
            Some(url) if url.starts_with("s3://") => {
                let parsed = url::Url::parse(url).map_err(|e| format!("{url}: {e}"))?;
                let bucket = parsed
                    .host_str()
                    .ok_or_else(|| format!("{url}: no bucket"))?;
                let store = AmazonS3Builder::from_env()
                    .with_bucket_name(bucket)
                    .build()
                    .map_err(|e| format!("{url}: {e}"))?;
                let prefix = parsed.path().trim_matches('/');
                Ok(Self {
                    store: Arc::new(store),
                    prefix: (!prefix.is_empty()).then(|| Path::from(prefix)),
                })
            }
            Some(url) if url.starts_with("file:") => {
                let parsed = url::Url::parse(url).map_err(|e| format!("{url}: {e}"))?;
                let dir = parsed
                    .to_file_path()
                    .map_err(|()| format!("{url}: not a local path"))?;
                Self::directory(dir)
            }
            Some(url) if url.contains("://") => Err(format!(
                "{url}: the storage URL must be s3://bucket[/prefix], file:///dir or a directory"
            )),
            Some(dir) => Self::directory(PathBuf::from(dir)),
            None => Self::directory(
                sqlite_file
                    .and_then(|file| file.parent().map(|dir| dir.join("files")))
                    .unwrap_or_else(|| PathBuf::from("data/files")),
            ),
        }
    }

    fn directory(dir: PathBuf) -> Result<Self, String> {
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let store = LocalFileSystem::new_with_prefix(&dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .with_automatic_cleanup(true);
        Ok(Self {
            store: Arc::new(store),
            prefix: None,
        })
    }

    /// Where the file of attachment `id` is kept.
    pub fn key(&self, id: Uuid) -> String {
        let name = format!("attachments/{id}");
        match &self.prefix {
            Some(prefix) => format!("{prefix}/{name}"),
            None => name,
        }
    }

    /// Receives `body` into `key`: at most `max` bytes, whose first [`SNIFF_BYTES`] `accept`
    /// must take. On any failure nothing is left behind.
    pub async fn receive<S, E>(
        &self,
        key: &str,
        mut body: S,
        max: u64,
        accept: impl Fn(&[u8]) -> bool,
    ) -> Result<Received, UploadError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let mut writer = BufWriter::with_capacity(self.store.clone(), Path::from(key), PART_BYTES);
        let mut hasher = Sha256::new();
        let mut size: u64 = 0;
        let mut head: Vec<u8> = Vec::new();
        let mut checked = false;
        let outcome: Result<(), UploadError> = async {
            while let Some(chunk) = body.next().await {
                let chunk = chunk.map_err(|e| UploadError::Body(e.to_string()))?;
                size += chunk.len() as u64;
                if size > max {
                    return Err(UploadError::TooLarge(max));
                }
                hasher.update(&chunk);
                if !checked {
                    let take = (SNIFF_BYTES - head.len()).min(chunk.len());
                    head.extend_from_slice(&chunk[..take]);
                    if head.len() >= SNIFF_BYTES {
                        checked = true;
                        if !accept(&head) {
                            return Err(UploadError::Mismatch);
                        }
                    }
                }
                writer
                    .put(chunk)
                    .await
                    .map_err(|e| UploadError::Storage(e.to_string()))?;
            }
            if size == 0 {
                return Err(UploadError::Empty);
            }
            if !checked && !accept(&head) {
                return Err(UploadError::Mismatch);
            }
            Ok(())
        }
        .await;
        match outcome {
            Ok(()) => {
                writer
                    .shutdown()
                    .await
                    .map_err(|e| UploadError::Storage(e.to_string()))?;
                Ok(Received {
                    size,
                    sha256: hasher
                        .finalize()
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect(),
                })
            }
            Err(e) => {
                // A multipart upload in progress is aborted; a buffered one was never sent.
                let _ = writer.abort().await;
                Err(e)
            }
        }
    }

    /// The bytes of `key` in `range` (all of them without one).
    pub async fn read(
        &self,
        key: &str,
        range: Option<Range<u64>>,
    ) -> Result<BoxStream<'static, Result<Bytes, object_store::Error>>, object_store::Error> {
        let options = GetOptions {
            range: range.map(GetRange::Bounded),
            ..GetOptions::default()
        };
        let result = self.store.get_opts(&Path::from(key), options).await?;
        Ok(result.into_stream())
    }

    /// Removes the file at `key` (a missing file is not an error).
    pub async fn remove(&self, key: &str) -> Result<(), object_store::Error> {
        match self.store.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }
}
