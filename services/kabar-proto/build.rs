//! Generates Rust types from `proto/` with prost, and their proto3 JSON mapping with pbjson.
//! The schema is compiled by protox (pure Rust), so building needs no `protoc`.

use std::error::Error;
use std::path::PathBuf;

use prost::Message;

const FILES: &[&str] = &["kabar/v1/article.proto", "kabar/v1/fingerprint.proto"];

fn main() -> Result<(), Box<dyn Error>> {
    // The run-time variable, not `env!`: a build script compiled in one checkout is reused by
    // another sharing the target directory, and a path baked in at compile time then points at
    // the first checkout (a removed git worktree broke the build that way).
    let proto_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?).join("../../proto");
    println!("cargo:rerun-if-changed={}", proto_dir.display());
    let descriptors = protox::compile(FILES, [&proto_dir])?;
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    let descriptor_path = out_dir.join("kabar_descriptor.bin");
    std::fs::write(&descriptor_path, descriptors.encode_to_vec())?;

    prost_build::Config::new()
        .file_descriptor_set_path(&descriptor_path)
        .skip_protoc_run()
        .compile_protos(FILES, &[&proto_dir])?;
    pbjson_build::Builder::new()
        .register_descriptors(&std::fs::read(&descriptor_path)?)?
        .build(&[".kabar"])?;
    Ok(())
}
