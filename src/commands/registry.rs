//! `plimsoll pull` and `plimsoll push`.

use crate::Exit;
use crate::args::{PullArgs, PushArgs};
use crate::commands::build::{open_store, registry_options};
use anyhow::{Context, Result};
use plimsoll_engine::image::ImageName;
use plimsoll_engine::registry;

pub fn pull(args: PullArgs) -> Result<Exit> {
    let name = ImageName::parse(&args.reference)?;
    let options = registry_options(&args.registry)?;
    let store = open_store(args.root.as_deref())?;
    let pulled = registry::pull(&options, &store, &name)
        .with_context(|| format!("cannot pull {}", name.normalized()))?;
    eprintln!(
        "pulled {} ({} layers, manifest {})",
        name.normalized(),
        pulled.image.layers.len(),
        pulled.manifest
    );
    println!("{}", pulled.digest);
    Ok(Exit::Clean)
}

pub fn push(args: PushArgs) -> Result<Exit> {
    let target = ImageName::parse(&args.reference)?;
    let (store, _, manifest) = crate::commands::image::load(&args.source)?;
    let options = registry_options(&args.source.registry)?;
    let digest = registry::push(&options, &store, &manifest, &target)
        .with_context(|| format!("cannot push to {}", target.normalized()))?;
    eprintln!("pushed {} to {}", args.source.image, target.normalized());
    println!("{digest}");
    Ok(Exit::Clean)
}
