//! Password hashing with argon2id at the OWASP parameters (19 MiB, 2 passes, 1 lane). Hashing is
//! slow on purpose, so it runs on the blocking pool and never holds a database connection.
//!
//! Memory: each hash needs 19 MiB of argon2 blocks. Allocating them per hash let glibc keep the
//! freed blocks in per-thread arenas (about 100 failed logins took RSS from 23 MB to 500-900 MB, and
//! it stayed there). Instead a [`MemoryPool`] owns one buffer per permitted concurrent hash,
//! allocated on first use and reused ever after, so the hashing memory is bounded by
//! `permits x 19 MiB` however many attempts arrive.

use std::sync::{Arc, Mutex};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::config::Settings;
use crate::error::ApiError;

/// The parameters new hashes are made with. Verification reads the parameters from each stored
/// hash (PHC strings carry them), so hashes made with other parameters keep verifying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashCost {
    pub memory_kib: u32,
    pub passes: u32,
}

impl HashCost {
    /// OWASP's recommendation for argon2id: 19 MiB, 2 passes, 1 lane.
    pub const PRODUCTION: HashCost = HashCost { memory_kib: 19 * 1024, passes: 2 };
    /// The smallest argon2 allows (8 KiB, 1 pass): for tests only, where hundreds of logins
    /// would otherwise spend most of the suite's time in argon2.
    pub const MINIMAL: HashCost = HashCost { memory_kib: 8, passes: 1 };

    /// The cost the settings ask for: production unless a test chose the minimal one.
    pub fn of(settings: &Settings) -> HashCost {
        if settings.fast_password_hashing {
            HashCost::MINIMAL
        } else {
            HashCost::PRODUCTION
        }
    }

    fn params(self) -> anyhow::Result<Params> {
        Params::new(self.memory_kib, self.passes, 1, None).map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))
    }
}

/// A stored hash asking for more than this is refused rather than allocated (a corrupt row must
/// not make one login take gigabytes).
const MAX_BLOCKS: usize = 256 * 1024;

/// Argon2 working memory, one buffer per permit. Taking a [`Workspace`] waits for a permit, so at
/// most `permits` buffers ever exist.
pub struct MemoryPool {
    permits: Arc<Semaphore>,
    free: Mutex<Vec<Vec<Block>>>,
}

impl MemoryPool {
    pub fn new(permits: usize) -> Arc<MemoryPool> {
        Arc::new(MemoryPool { permits: Arc::new(Semaphore::new(permits)), free: Mutex::new(Vec::new()) })
    }

    /// Waits for a permit and takes a buffer (an empty one the first time each permit is used).
    pub async fn take(self: &Arc<Self>) -> Result<Workspace, ApiError> {
        let permit = self.permits.clone().acquire_owned().await.map_err(|e| ApiError::Internal(e.into()))?;
        let blocks = self.free.lock().map_err(|_| ApiError::Internal(anyhow::anyhow!("poisoned pool")))?.pop();
        Ok(Workspace { blocks: blocks.unwrap_or_default(), pool: self.clone(), _permit: permit })
    }

    /// Bytes held by buffers waiting in the pool.
    pub fn idle_bytes(&self) -> usize {
        self.free.lock().map(|free| free.iter().map(|b| b.capacity() * size_of::<Block>()).sum()).unwrap_or(0)
    }
}

/// One hash's argon2 memory, given back to the pool when dropped (before its permit is released,
/// so the next holder of the permit finds the buffer).
pub struct Workspace {
    blocks: Vec<Block>,
    pool: Arc<MemoryPool>,
    _permit: OwnedSemaphorePermit,
}

impl Workspace {
    /// At least `count` blocks; the buffer grows (and stays grown) when a hash needs more.
    fn blocks(&mut self, count: usize) -> &mut [Block] {
        if self.blocks.len() < count {
            self.blocks.resize(count, Block::default());
        }
        &mut self.blocks[..count]
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        if let Ok(mut free) = self.pool.free.lock() {
            free.push(std::mem::take(&mut self.blocks));
        }
    }
}

#[derive(Clone)]
pub struct Passwords {
    /// A hash of a random password, checked when the email is unknown so that an unknown email
    /// costs as much time as a wrong password and the two cannot be told apart.
    dummy_hash: String,
    cost: HashCost,
    /// One permit (and one buffer) per core: a burst of logins waits in line instead of running
    /// hundreds of hashes (and gigabytes) at once.
    memory: Arc<MemoryPool>,
}

impl Passwords {
    pub fn with_cost(cost: HashCost) -> anyhow::Result<Passwords> {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        let memory = MemoryPool::new(cores);
        let dummy_hash = hash_with(&crate::auth::random_token(), cost, &mut Vec::new())?;
        Ok(Passwords { dummy_hash, cost, memory })
    }

    pub async fn hash(&self, password: String) -> Result<String, ApiError> {
        // Owned by the blocking task: a caller that goes away does not free the memory while the hash runs.
        let mut workspace = self.memory.take().await?;
        let cost = self.cost;
        tokio::task::spawn_blocking(move || hash_with(&password, cost, &mut workspace.blocks))
            .await
            .map_err(|e| ApiError::Internal(e.into()))?
            .map_err(ApiError::Internal)
    }

    /// Checks `password` against `hash`, or against the dummy hash when there is no account.
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, ApiError> {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy_hash.clone());
        let mut workspace = self.memory.take().await?;
        let matches = tokio::task::spawn_blocking(move || verify_with(&password, &hash, &mut workspace))
            .await
            .map_err(|e| ApiError::Internal(e.into()))?;
        Ok(known && matches)
    }
}

/// A hash at the production cost, for one-off use outside the server (the command line): its
/// memory is freed afterwards.
pub fn hash_now(password: &str) -> anyhow::Result<String> {
    hash_at(password, HashCost::PRODUCTION)
}

/// A one-off hash at `cost` (the first admin, made before the server runs).
pub fn hash_at(password: &str, cost: HashCost) -> anyhow::Result<String> {
    hash_with(password, cost, &mut Vec::new())
}

/// An argon2id PHC string of `password` with a random salt, computed in `memory`.
fn hash_with(password: &str, cost: HashCost, memory: &mut Vec<Block>) -> anyhow::Result<String> {
    let params = cost.params()?;
    let failed = |e: &dyn std::fmt::Display| anyhow::anyhow!("password hashing failed: {e}");
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes).map_err(|e| failed(&e))?;
    let count = params.block_count();
    if memory.len() < count {
        memory.resize(count, Block::default());
    }
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    argon2
        .hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, &mut memory[..count])
        .map_err(|e| failed(&e))?;
    let hash = PasswordHash {
        algorithm: argon2::ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: (&params).try_into().map_err(|e| failed(&e))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| failed(&e))?),
    };
    Ok(hash.to_string())
}

/// Whether `password` matches the PHC string `hash`, with the parameters the hash names.
fn verify_with(password: &str, hash: &str, workspace: &mut Workspace) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else { return false };
    let (Ok(algorithm), Ok(params)) = (Algorithm::try_from(parsed.algorithm), Params::try_from(&parsed)) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from).transpose() {
        Ok(version) => version.unwrap_or_default(),
        Err(_) => return false,
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else { return false };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_bytes) else { return false };
    if params.block_count() > MAX_BLOCKS {
        return false;
    }
    let blocks = workspace.blocks(params.block_count());
    let mut out = vec![0u8; expected.len()];
    let argon2 = Argon2::new(algorithm, version, params);
    if argon2.hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, blocks).is_err() {
        return false;
    }
    // `Output` compares in constant time.
    Output::new(&out).is_ok_and(|computed| computed == expected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    fn verify_now(password: &str, hash: &str) -> bool {
        let pool = MemoryPool::new(1);
        let mut workspace = futures_util::FutureExt::now_or_never(pool.take()).expect("free").expect("taken");
        verify_with(password, hash, &mut workspace)
    }

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let hash = hash_now("kata sandi rahasia").expect("hash");
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(verify_now("kata sandi rahasia", &hash));
        assert!(!verify_now("kata sandi salah!", &hash));
        assert!(!verify_now("anything", "not a hash"));
        // The argon2 crate's own verifier agrees.
        let parsed = PasswordHash::new(&hash).expect("phc");
        assert!(Argon2::default().verify_password(b"kata sandi rahasia", &parsed).is_ok());
    }

    #[test]
    fn hashes_made_with_other_parameters_still_verify() {
        let cheap = hash_with("kata sandi rahasia", HashCost::MINIMAL, &mut Vec::new()).expect("hash");
        assert!(cheap.starts_with("$argon2id$v=19$m=8,t=1,p=1$"), "{cheap}");
        assert!(verify_now("kata sandi rahasia", &cheap));
        // Made elsewhere: argon2i, two lanes, another output length.
        let params = Params::new(64, 3, 2, Some(24)).expect("params");
        let salt = SaltString::generate(&mut OsRng);
        let other = Argon2::new(Algorithm::Argon2i, Version::V0x13, params)
            .hash_password(b"lama", &salt)
            .expect("hash")
            .to_string();
        assert!(verify_now("lama", &other));
        assert!(!verify_now("baru", &other));
    }

    /// However many hashes run, the pool never holds more buffers than it has permits.
    #[actix_web::test]
    async fn the_pool_hands_out_at_most_one_buffer_per_permit() {
        let pool = MemoryPool::new(2);
        let hash = hash_with("kata sandi rahasia", HashCost::MINIMAL, &mut Vec::new()).expect("hash");
        let tasks = (0..16).map(|i| {
            let (pool, hash) = (pool.clone(), hash.clone());
            async move {
                let mut workspace = pool.take().await.expect("taken");
                tokio::task::spawn_blocking(move || verify_with(&format!("guess {i}"), &hash, &mut workspace))
                    .await
                    .expect("ran")
            }
        });
        let results = futures_util::future::join_all(tasks).await;
        assert!(results.iter().all(|matched| !matched));
        let buffers = pool.free.lock().expect("lock").len();
        assert!((1..=2).contains(&buffers), "{buffers} buffers for 2 permits");
        assert!(pool.idle_bytes() <= 2 * 8 * size_of::<Block>(), "{} bytes", pool.idle_bytes());
    }
}
