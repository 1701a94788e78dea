pub fn run(_depth: usize) -> Result<(), String> {
    Err("demo: not built yet".into())
}
