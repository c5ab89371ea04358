//! `plimsoll cache prune`.

use crate::Exit;
use crate::args::{CacheArgs, CacheCommand};
use crate::commands::build::open_store;
use anyhow::Result;

pub fn run(args: CacheArgs) -> Result<Exit> {
    match args.command {
        CacheCommand::Prune { all, root } => {
            let store = open_store(root.as_deref())?;
            let report = plimsoll_engine::build::prune_cache(&store, all)?;
            println!(
                "removed {} cache records, {} blobs, {} unpacked layers, {} cache mounts and containers: {:.1} MB freed",
                report.records,
                report.blobs,
                report.layers,
                report.mounts,
                report.bytes as f64 / 1e6
            );
            Ok(Exit::Clean)
        }
    }
}
