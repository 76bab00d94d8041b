//! Running the real binary from tests: one-shot subcommands, a spawned server, and plain
//! HTTP/1.1 over a socket (no client library, so nothing hides what goes over the wire).
#![allow(dead_code)]
// clippy.toml allows these inside #[test] functions only; these helpers serve them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The binary under test: `BETWEEN_TEST_BIN` (e.g. the release build) or this build's own.
pub fn bin() -> String {
    std::env::var("BETWEEN_TEST_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_between").into())
}

/// Runs one subcommand on a data folder, feeding `stdin` when given.
pub fn between(data_dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(bin());
    cmd.args(args);
    run(cmd, data_dir, stdin)
}

/// Runs a subcommand under a shell that first sets the umask, as a cron job might; `000` is
/// the most permissive an operator could have.
pub fn between_with_umask(
    data_dir: &Path,
    umask: &str,
    args: &[&str],
    stdin: Option<&str>,
) -> Output {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("umask {umask} && exec \"$0\" \"$@\""))
        .arg(bin())
        .args(args);
    run(cmd, data_dir, stdin)
}

fn run(mut cmd: Command, data_dir: &Path, stdin: Option<&str>) -> Output {
    let mut child = cmd
        .env("BETWEEN_DATA_DIR", data_dir)
        .env_remove("BETWEEN_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    if let Some(input) = stdin {
        pipe.write_all(input.as_bytes()).unwrap();
    }
    drop(pipe);
    child.wait_with_output().unwrap()
}

/// Bytes as text, for messages and assertions.
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// An account with a bearer token, made through the operator's commands.
pub fn account_with_token(data_dir: &Path, email: &str) -> String {
    let added = between(
        data_dir,
        &["user", "add", email],
        Some("a long enough password\n"),
    );
    assert!(added.status.success(), "{}", text(&added.stderr));
    let out = between(data_dir, &["token", "create", email], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout).trim().to_string()
}

/// A running `between serve`; killed when dropped.
pub struct Server {
    pub child: Child,
    pub addr: String,
    /// The line the server printed first ("Between is running at …").
    pub banner: String,
    pub log: Arc<Mutex<String>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Stops the server as an operator or a service manager would (SIGTERM) and waits.
    pub fn stop(&mut self) -> ExitStatus {
        let term = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(term.success());
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not stop");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills the server at once (SIGKILL), as a crash or a power cut would.
    pub fn crash(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

/// Starts `between serve` on a free port, configured only through environment variables.
pub fn serve(data_dir: &Path) -> Server {
    serve_with(data_dir, &[])
}

/// Like [`serve`], with more environment variables (`BETWEEN_*` options).
pub fn serve_with(data_dir: &Path, env: &[(&str, &str)]) -> Server {
    let mut child = Command::new(bin())
        .arg("serve")
        .env("BETWEEN_DATA_DIR", data_dir)
        .env("BETWEEN_LISTEN", "127.0.0.1:0")
        .env("RUST_LOG", "debug")
        .env_remove("BETWEEN_DATABASE_URL")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log = Arc::new(Mutex::new(String::new()));
    let stderr = child.stderr.take().unwrap();
    let sink = log.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let mut l = sink.lock().unwrap();
            l.push_str(&line);
            l.push('\n');
        }
    });
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let addr = first
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no URL in {first:?}"))
        .to_string();
    Server {
        child,
        addr,
        banner: first,
        log,
    }
}

/// Sends one request and reads the whole answer: (status, raw response).
pub fn http(addr: &str, request: &str) -> (u16, String) {
    try_http(addr, request).unwrap()
}

/// Like [`http`], but a connection that fails or breaks is an error, not a panic.
pub fn try_http(addr: &str, request: &str) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    s.write_all(request.as_bytes())?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    let status = out
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    Ok((status, out))
}

/// The request text of an API call with a bearer token and an optional JSON body.
pub fn api_request(
    addr: &str,
    method: &str,
    path: &str,
    token: &str,
    body: Option<&str>,
) -> String {
    let body = body.unwrap_or("");
    format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// The JSON body of a raw response.
pub fn json_body(response: &str) -> serde_json::Value {
    let body = response.split("\r\n\r\n").nth(1).unwrap_or("");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {response}"))
}

/// Posts a check-in body with a bearer token.
pub fn post_checkin(addr: &str, token: &str, body: &str) -> (u16, String) {
    http(
        addr,
        &api_request(addr, "POST", "/api/v1/checkins", token, Some(body)),
    )
}
