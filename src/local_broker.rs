//! A local tansu broker for development and tests, installed with cargo when missing.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

/// The cargo features that give tansu usable storage.
const TANSU_FEATURES: &str = "dynostore,libsql";

/// A tansu process this program started; it is killed when dropped.
pub struct LocalBroker {
    child: Child,
    /// `host:port` for `bootstrap.servers`.
    pub brokers: String,
}

impl LocalBroker {
    /// Starts tansu on `addr` inside `data_dir` (its log goes to `tansu.log` there) with
    /// `storage`: `memory://tansu/`, or `sqlite://NAME` for a file in `data_dir` that survives
    /// restarts. Waits until it accepts connections.
    pub async fn start(addr: SocketAddr, storage: &str, data_dir: &Path) -> anyhow::Result<Self> {
        let binary = ensure_installed().await?;
        std::fs::create_dir_all(data_dir)?;
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(data_dir.join("tansu.log"))?;
        let url = format!("tcp://{addr}");
        let mut command = Command::new(&binary);
        command
            .arg("broker")
            .args([
                "--listener-url",
                &url,
                "--advertised-listener-url",
                &url,
                "--storage-engine",
                storage,
            ])
            // tansu resolves sqlite:// paths against its working directory.
            .current_dir(data_dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true);
        // Die with the process that started the broker, even if it is killed without cleanup.
        #[cfg(target_os = "linux")]
        unsafe {
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let child = command.spawn()?;
        let broker = Self {
            child,
            brokers: addr.to_string(),
        };
        wait_until_listening(addr, Duration::from_secs(30)).await?;
        tracing::info!(brokers = %broker.brokers, storage, "local tansu broker started");
        Ok(broker)
    }

    /// Stops the broker and waits for it to exit.
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// Whether something accepts TCP connections at `addr`.
pub async fn is_listening(addr: SocketAddr) -> bool {
    tokio::time::timeout(Duration::from_millis(500), tokio::net::TcpStream::connect(addr))
        .await
        .is_ok_and(|r| r.is_ok())
}

async fn wait_until_listening(addr: SocketAddr, limit: Duration) -> anyhow::Result<()> {
    let deadline = Instant::now() + limit;
    while !is_listening(addr).await {
        if Instant::now() > deadline {
            anyhow::bail!("tansu did not start listening on {addr} within {limit:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

/// The tansu binary: `TANSU_BIN`, else on `PATH` or in `~/.cargo/bin`, else installed now.
pub async fn ensure_installed() -> anyhow::Result<PathBuf> {
    if let Some(found) = find_tansu() {
        return Ok(found);
    }
    tracing::warn!("tansu is not installed; installing it with cargo (about 13 minutes on 2 cores)");
    let status = Command::new("cargo")
        .args(["install", "tansu", "--locked", "--features", TANSU_FEATURES])
        .status()
        .await?;
    anyhow::ensure!(status.success(), "cargo install tansu failed: {status}");
    find_tansu().ok_or_else(|| anyhow::anyhow!("tansu was installed but cannot be found"))
}

fn find_tansu() -> Option<PathBuf> {
    if let Some(explicit) = std::env::var_os("TANSU_BIN").map(PathBuf::from).filter(|p| p.is_file()) {
        return Some(explicit);
    }
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join("tansu"));
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|home| home.join("bin").join("tansu"));
    on_path.chain(cargo_home).find(|p| p.is_file())
}
