//! Minutes as a document, assembled from the meeting record.
