//! Starting the servers under test as separate processes, and the CLI calls that make
//! accounts. Only `serve`, `user add` and `token create` are used, with flags every build of
//! `between` has had, so the bench can measure an old binary against a new one.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use anyhow::{Context, anyhow, bail};

/// The password every bench account gets; it is long enough for any build's rules.
pub const PASSWORD: &str = "a long enough password";

/// How long a server may take to print its address (migrations on a fresh database included).
const START_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Where a `between` binary keeps its data: a data dir, and a database URL when not SQLite.
#[derive(Clone)]
pub struct Target {
    pub bin: String,
    pub data_dir: String,
    pub database_url: Option<String>,
}

impl Target {
    fn command(&self) -> Command {
        let mut c = Command::new(&self.bin);
        // Every option reads a BETWEEN_* variable; one left in the caller's environment (a
        // public URL, HTTPS) would change what is measured or refuse the bench's requests.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("BETWEEN_") {
                c.env_remove(name);
            }
        }
        c.env("RUST_LOG", "warn");
        c
    }

    fn storage_args(&self) -> Vec<String> {
        let mut args = vec!["--data-dir".to_string(), self.data_dir.clone()];
        if let Some(url) = &self.database_url {
            args.extend(["--database-url".to_string(), url.clone()]);
        }
        args
    }

    /// Runs one CLI command, returning its standard output; a failure carries its stderr.
    fn cli(&self, args: &[&str], stdin: Option<&str>) -> anyhow::Result<String> {
        let mut child = self
            .command()
            .args(args)
            .args(self.storage_args())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("could not run {} (build it first)", self.bin))?;
        if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
            pipe.write_all(input.as_bytes())?;
        }
        let out = child.wait_with_output()?;
        if !out.status.success() {
            bail!(
                "between {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(String::from_utf8(out.stdout)?)
    }

    /// Creates an account and returns a personal API token for it.
    pub fn account(&self, email: &str) -> anyhow::Result<String> {
        self.cli(&["user", "add", email], Some(&format!("{PASSWORD}\n")))?;
        let token = self.cli(&["token", "create", email], None)?;
        Ok(token.trim().to_string())
    }

    /// Creates an account with a role (`therapist`, …) and returns a personal API token for
    /// it (an operator's token works for any role).
    pub fn account_with_role(&self, email: &str, role: &str) -> anyhow::Result<String> {
        self.cli(
            &["user", "add", email, "--role", role],
            Some(&format!("{PASSWORD}\n")),
        )?;
        let token = self.cli(&["token", "create", email], None)?;
        Ok(token.trim().to_string())
    }

    /// Starts `between serve` on a free loopback port.
    pub fn serve(&self, log: &Path) -> anyhow::Result<Server> {
        let mut c = self.command();
        c.args(["serve", "--listen", "127.0.0.1:0"])
            .args(self.storage_args());
        Server::start(c, log)
    }
}

/// A running server process; it is stopped when dropped, so an error anywhere in the
/// bench never leaves one behind.
pub struct Server {
    child: Child,
    pub addr: String,
}

impl Server {
    /// Starts the bench's own group-commit baseline (`bare-server`) on a SQLite file, with
    /// the SQLite driver named (`rusqlite` or `sqlx`).
    pub fn bare(db: &Path, log: &Path, driver: &str) -> anyhow::Result<Server> {
        let mut c = Command::new(std::env::current_exe()?);
        c.arg("bare-server").arg("--db").arg(db).args([
            "--listen",
            "127.0.0.1:0",
            "--driver",
            driver,
        ]);
        Server::start(c, log)
    }

    /// Spawns the command and waits for the line that names its address
    /// (`... http://127.0.0.1:PORT/`), as both servers print on start.
    fn start(mut command: Command, log: &Path) -> anyhow::Result<Server> {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(File::create(log)?))
            .spawn()
            .context("could not start the server")?;
        let stdout = child.stdout.take().context("no stdout")?;
        // Read on a thread so a server that never says where it listens can't hang the bench.
        let (first_line, line_read) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let read = reader.read_line(&mut line);
            let _ = first_line.send(read.map(|_| line));
            // Keep reading its stdout so a later line never meets a closed pipe.
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        let line = match line_read.recv_timeout(START_TIMEOUT) {
            Ok(Ok(line)) => line,
            Ok(Err(e)) => e.to_string(),
            Err(_) => String::from("(nothing within 30 s)"),
        };
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .map(str::to_string);
        let Some(addr) = addr else {
            let _ = child.kill();
            let _ = child.wait();
            let errors = std::fs::read_to_string(log).unwrap_or_default();
            return Err(anyhow!(
                "no address in the server's first line {line:?}; its log: {errors}"
            ));
        };
        Ok(Server { child, addr })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Fails when the process has exited: a crash under load is a correctness failure.
    pub fn check_alive(&mut self, what: &str) -> anyhow::Result<()> {
        if let Some(status) = self.child.try_wait()? {
            bail!("{what} exited during the bench: {status}");
        }
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Resident memory of a process, from /proc.
pub fn rss_kb(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| anyhow!("no VmRSS"))
}
