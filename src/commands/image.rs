//! `plimsoll image ls | inspect | layers | rm`: the images of the local store.

use crate::Exit;
use crate::args::{AnalyzeFormat, ImageArgs, ImageCommand, ImageRefArgs};
use crate::commands::analyze::{bytes, layer_table};
use crate::commands::build::{open_store, resolver};
use anyhow::{Context, Result, bail};
use plimsoll_engine::digest::Digest;
use plimsoll_engine::image::{Image, ImageLocation, ImageName};
use plimsoll_engine::store::Store;
use serde_json::{Value, json};
use std::io::Write;

pub fn run(args: ImageArgs) -> Result<Exit> {
    match args.command {
        ImageCommand::Ls { format, root } => ls(&open_store(root.as_deref())?, format),
        ImageCommand::Inspect(image) => inspect(&image),
        ImageCommand::Layers { format, image } => layers(&image, format),
        ImageCommand::Rm { names, root } => rm(&open_store(root.as_deref())?, &names),
    }
}

/// An image loaded into the store, with the manifest it is stored under: the tagged one
/// for a name the store has (pulled or built), else the one Plimsoll writes for it.
pub fn load(args: &ImageRefArgs) -> Result<(Store, Image, Digest)> {
    let store = open_store(args.root.as_deref())?;
    let resolver = resolver(&args.bases, false, &args.registry)?;
    let source = resolver.resolve_location(&args.image, &store)?;
    let syscall = plimsoll_engine::syscall::host();
    let image = source
        .load(&store, syscall.as_ref())
        .with_context(|| format!("cannot load {}", source.describe()))?;
    let manifest = stored_manifest(&store, &args.image, &image)?;
    Ok((store, image, manifest))
}

/// The manifest `image` (loaded from `reference`) has in the store: the tagged one when
/// the reference is a name the store has for this very image, else the one Plimsoll
/// writes for it.
pub fn stored_manifest(store: &Store, reference: &str, image: &Image) -> Result<Digest> {
    let tagged = match ImageLocation::parse(reference)? {
        ImageLocation::Named(name) => store
            .tag(&name.normalized())?
            .filter(|m| Image::load(store, m).is_ok_and(|stored| &stored == image)),
        _ => None,
    };
    Ok(match tagged {
        Some(manifest) => manifest,
        None => image.store(store)?.manifest,
    })
}

/// The stored manifest and configuration of an image, as JSON values.
fn documents(store: &Store, manifest: &Digest) -> Result<(Value, Value, Digest)> {
    let manifest_json: Value = serde_json::from_slice(&store.read_blob(manifest)?)
        .with_context(|| format!("manifest {manifest}"))?;
    let config_digest: Digest = manifest_json["config"]["digest"]
        .as_str()
        .unwrap_or_default()
        .parse()
        .with_context(|| format!("manifest {manifest} names no configuration"))?;
    let config: Value = serde_json::from_slice(&store.read_blob(&config_digest)?)
        .with_context(|| format!("configuration {config_digest}"))?;
    Ok((manifest_json, config, config_digest))
}

fn ls(store: &Store, format: AnalyzeFormat) -> Result<Exit> {
    let mut rows = Vec::new();
    for (name, manifest) in store.tags()? {
        let (manifest_json, config, config_digest) = documents(store, &manifest)?;
        let layers = manifest_json["layers"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let size: u64 = layers.iter().filter_map(|l| l["size"].as_u64()).sum();
        rows.push(json!({
            "name": name,
            "manifest": manifest.to_string(),
            "image_id": config_digest.to_string(),
            "layers": layers.len(),
            "size": size,
            "created": config["created"],
        }));
    }
    let mut out = std::io::stdout().lock();
    match format {
        AnalyzeFormat::Json => {
            let text = serde_json::to_string_pretty(&rows)?;
            writeln!(out, "{text}")?;
        }
        AnalyzeFormat::Table => {
            writeln!(
                out,
                "{:<50}  {:<12}  {:>6}  {:>10}  CREATED",
                "NAME", "IMAGE ID", "LAYERS", "SIZE"
            )?;
            for row in &rows {
                let id = row["image_id"].as_str().unwrap_or_default();
                writeln!(
                    out,
                    "{:<50}  {:<12}  {:>6}  {:>10}  {}",
                    row["name"].as_str().unwrap_or_default(),
                    id.strip_prefix("sha256:")
                        .unwrap_or(id)
                        .get(..12)
                        .unwrap_or(id),
                    row["layers"].as_u64().unwrap_or(0),
                    bytes(row["size"].as_u64().unwrap_or(0)),
                    row["created"].as_str().unwrap_or("-")
                )?;
            }
        }
    }
    out.flush()?;
    Ok(Exit::Clean)
}

fn inspect(args: &ImageRefArgs) -> Result<Exit> {
    let (store, image, manifest) = load(args)?;
    let (manifest_json, config, config_digest) = documents(&store, &manifest)?;
    let layers: Vec<Value> = image
        .layers
        .iter()
        .map(|l| {
            json!({
                "digest": l.digest.to_string(),
                "diff_id": l.diff_id.to_string(),
                "size": l.size,
                "media_type": l.compression.media_type().to_string(),
            })
        })
        .collect();
    let document = json!({
        "image": args.image,
        "manifest": manifest.to_string(),
        "media_type": manifest_json.get("mediaType").cloned().unwrap_or(Value::Null),
        "image_id": config_digest.to_string(),
        "created": config["created"],
        "architecture": config["architecture"],
        "os": config["os"],
        "config": config["config"],
        "layers": layers,
        "history": config["history"],
    });
    let text = serde_json::to_string_pretty(&document)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")?;
    out.flush()?;
    Ok(Exit::Clean)
}

fn layers(args: &ImageRefArgs, format: AnalyzeFormat) -> Result<Exit> {
    let (store, image, _) = load(args)?;
    let analysis = plimsoll_engine::analyze::analyze(&store, &image)
        .with_context(|| format!("cannot read the layers of {}", args.image))?;
    let mut out = std::io::stdout().lock();
    match format {
        AnalyzeFormat::Json => {
            let text = serde_json::to_string_pretty(&analysis.layers)?;
            writeln!(out, "{text}")?;
        }
        AnalyzeFormat::Table => layer_table(&mut out, &analysis.layers)?,
    }
    out.flush()?;
    Ok(Exit::Clean)
}

fn rm(store: &Store, names: &[String]) -> Result<Exit> {
    // Every name is checked before any is removed: all or nothing.
    let mut normalized = Vec::new();
    for name in names {
        // A name exactly as `image ls` shows it (also another platform's pull, `NAME
        // [linux/arm64]`), else a reference to normalize.
        let key = if store.tag(name)?.is_some() {
            name.clone()
        } else {
            ImageName::parse(name)?.normalized()
        };
        if store.tag(&key)?.is_none() {
            bail!("no image named {key} in the store (see `plimsoll image ls`)");
        }
        normalized.push(key);
    }
    for key in normalized {
        store.remove_tag(&key)?;
        println!("untagged {key}");
    }
    eprintln!("`plimsoll cache prune` frees the blobs and layers no name uses any more");
    Ok(Exit::Clean)
}
