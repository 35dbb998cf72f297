//! Stories that are all different from each other, and near copies of them, for the tests of
//! near-duplicate detection: story `i` is the same on every machine, two stories share no
//! five-word run, and copy `i` is story `i` as another outlet would run it.

const WORDS: &[&str] = &[
    "pemerintah",
    "warga",
    "kota",
    "desa",
    "harga",
    "beras",
    "minyak",
    "banjir",
    "jalan",
    "sekolah",
    "rumah",
    "sakit",
    "polisi",
    "menteri",
    "presiden",
    "rapat",
    "anggaran",
    "pasar",
    "petani",
    "nelayan",
    "hujan",
    "angin",
    "gempa",
    "listrik",
    "air",
    "bersih",
    "jembatan",
    "pelabuhan",
    "bandara",
    "kereta",
    "bus",
    "sepeda",
    "motor",
    "mobil",
    "pajak",
    "bank",
    "kredit",
    "usaha",
    "kecil",
    "menengah",
    "besar",
    "baru",
    "lama",
    "tahun",
    "bulan",
    "pekan",
    "hari",
    "malam",
    "pagi",
    "siang",
    "sore",
    "kemarin",
    "besok",
    "utara",
    "selatan",
    "timur",
    "barat",
    "tengah",
    "provinsi",
    "kabupaten",
    "kecamatan",
    "kelurahan",
    "gubernur",
    "bupati",
    "wali",
    "dewan",
    "partai",
    "pemilu",
    "suara",
    "calon",
    "tim",
    "pemain",
    "pelatih",
    "laga",
    "gol",
    "juara",
    "stadion",
    "penonton",
    "tiket",
    "film",
    "musik",
    "buku",
    "guru",
    "murid",
    "dokter",
    "perawat",
    "obat",
    "vaksin",
    "virus",
    "pasien",
    "klinik",
    "lahan",
    "hutan",
    "sungai",
    "laut",
    "pantai",
    "gunung",
    "kebun",
    "sawah",
    "panen",
    "pupuk",
    "ternak",
    "sapi",
    "ayam",
    "ikan",
    "udang",
    "ekspor",
    "impor",
    "pabrik",
    "buruh",
    "upah",
    "kerja",
    "kantor",
    "gedung",
    "proyek",
    "dana",
    "bantuan",
    "sosial",
    "keluarga",
    "anak",
    "ibu",
    "bapak",
    "pemuda",
    "relawan",
    "korban",
    "pengungsi",
    "tenda",
    "makanan",
    "pakaian",
    "selimut",
    "data",
    "laporan",
    "survei",
    "hasil",
];

/// A small deterministic generator (xorshift64*), so stories need no random crate.
struct Words(u64);

impl Words {
    fn next(&mut self) -> &'static str {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let value = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d);
        WORDS[(value >> 33) as usize % WORDS.len()]
    }
}

/// The sentences of story `index`: eight sentences of twelve words.
fn sentences(index: usize) -> Vec<String> {
    let mut words = Words(0x9e37_79b9_7f4a_7c15 ^ ((index as u64 + 1) * 0x0100_0000_01b3));
    (0..8)
        .map(|n| {
            let mut sentence: Vec<String> = (0..12).map(|_| words.next().to_owned()).collect();
            // A number per sentence, as news has: it also keeps stories apart.
            sentence.insert(6, format!("{}", index * 100 + n));
            let mut text = sentence.join(" ");
            text[..1].make_ascii_uppercase();
            text + "."
        })
        .collect()
}

/// Story `index`: a JSON article with id `story-<index>` and four paragraphs.
pub fn story(index: usize) -> (String, Vec<u8>) {
    let id = format!("story-{index:05}");
    let body = sentences(index)
        .chunks(2)
        .map(|p| p.join(" "))
        .collect::<Vec<_>>()
        .join("\n\n");
    let payload = serde_json::json!({"id": id, "title": format!("Berita {index}"), "text": body});
    (id, payload.to_string().into_bytes())
}

/// A near copy of story `index` as another outlet runs it, id `copy-<index>`: its own
/// headline, other typography, and (by index) the last paragraph cut, a paragraph added, or
/// page furniture around it.
pub fn copy(index: usize) -> (String, Vec<u8>) {
    let id = format!("copy-{index:05}");
    let mut paragraphs: Vec<String> = sentences(index).chunks(2).map(|p| p.join(" ")).collect();
    match index % 3 {
        0 => {
            paragraphs.pop();
        }
        1 => paragraphs
            .push("Berita ini telah diperbarui dengan keterangan dari pihak berwenang.".to_owned()),
        _ => {
            paragraphs.insert(0, "Beranda | Nasional | Ekonomi | Olahraga".to_owned());
            paragraphs.push("Nasional | 2 hari yang lalu".to_owned());
        }
    }
    let body = paragraphs.join("\n\n").to_uppercase().replace(". ", ".  ");
    let payload =
        serde_json::json!({"id": id, "title": format!("Kabar terbaru {index}"), "text": body});
    (id, payload.to_string().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stories_are_deterministic_and_different() {
        assert_eq!(story(3), story(3));
        assert_ne!(sentences(3), sentences(4));
        assert_eq!(copy(3).0, "copy-00003");
    }
}
