//! `plimsoll run`: a command in an image; the exit status is the command's.

use crate::Exit;
use crate::args::RunArgs;
use crate::commands::build::{network, open_store, resolver};
use anyhow::{Context, Result};
use plimsoll_engine::container::{Publish, RunOptions, Volume, run as run_container};
use plimsoll_engine::sandbox::Sandbox;

pub fn run(args: RunArgs) -> Result<Exit> {
    let volumes = args
        .volumes
        .iter()
        .map(|v| v.parse::<Volume>().map_err(anyhow::Error::msg))
        .collect::<Result<Vec<_>>>()?;
    let publish = args
        .publish
        .iter()
        .map(|p| p.parse::<Publish>().map_err(anyhow::Error::msg))
        .collect::<Result<Vec<_>>>()?;
    let options = RunOptions {
        image: args.image.clone(),
        command: args.command.clone(),
        entrypoint: args.entrypoint.clone(),
        env: args.env.clone(),
        user: args.user.clone(),
        workdir: args.workdir.clone(),
        network: network(args.network),
        volumes,
        rm: args.rm,
        tty: args.tty,
        publish,
        resolver: resolver(&args.bases, false, &args.registry)?,
    };
    let store = open_store(args.root.as_deref())?;
    plimsoll_engine::interrupt::install().context("cannot install the Ctrl-C handler")?;
    let syscall = plimsoll_engine::syscall::host();
    let runner = Sandbox::new(syscall.as_ref());
    let outcome = run_container(&store, syscall.as_ref(), &runner, &options)?;
    if let Some(kept) = &outcome.kept {
        eprintln!(
            "the container's changes are kept in {} (plimsoll cache prune removes them; --rm does not keep them)",
            kept.display()
        );
    }
    // The command's own status, whatever it is.
    std::process::exit(outcome.code);
}
