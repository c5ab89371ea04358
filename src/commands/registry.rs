//! `plimsoll pull` and `plimsoll push`.

use crate::Exit;
use crate::args::{PullArgs, PushArgs};
use crate::commands::build::{open_store, registry_options, resolver};
use anyhow::{Context, Result};
use plimsoll_engine::image::{Image, ImageLocation, ImageName};
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
    let store = open_store(args.root.as_deref())?;
    let resolver = resolver(&args.bases, false, &args.registry)?;
    let source = resolver.resolve_location(&args.image, &store)?;
    let syscall = plimsoll_engine::syscall::host();
    let image = source
        .load(&store, syscall.as_ref())
        .with_context(|| format!("cannot load {}", source.describe()))?;
    // An image the store has under this name (built, pulled) goes out byte for byte;
    // anything else as Plimsoll writes it.
    let tagged = match ImageLocation::parse(&args.image)? {
        ImageLocation::Named(name) => store
            .tag(&name.normalized())?
            .filter(|m| Image::load(&store, m).is_ok_and(|stored| stored == image)),
        _ => None,
    };
    let manifest = match tagged {
        Some(manifest) => manifest,
        None => image.store(&store)?.manifest,
    };
    let digest = registry::push(&resolver.registry, &store, &manifest, &target)
        .with_context(|| format!("cannot push to {}", target.normalized()))?;
    eprintln!("pushed {} to {}", args.image, target.normalized());
    println!("{digest}");
    Ok(Exit::Clean)
}
