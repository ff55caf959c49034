"""Indonesian rows for arms-transfers seeds: KIND|SPLIT|title|text|note (see arms_build.py)."""

LANG = "id"
ROWS = """
P|t|Kemhan pastikan enam Rafale pertama tiba awal tahun depan|Kementerian Pertahanan memastikan enam jet tempur Rafale pertama dari Prancis akan tiba di Lanud Roesmin Nurjadin awal tahun depan. Indonesia memesan total 42 unit dari Dassault Aviation. Pilot TNI AU telah menjalani pelatihan di Prancis. Pesawat akan memperkuat Skadron Udara 12.|First Rafale jets arriving from France
P|t|Indonesia teken kontrak dua kapal selam Scorpene dengan Naval Group|Pemerintah menandatangani kontrak pembelian dua kapal selam Scorpene Evolved dari Prancis. Kapal akan dibangun di PT PAL Surabaya dengan alih teknologi.|Submarine purchase with licensed build
P|t|Turki akan kirim 48 jet KAAN ke Indonesia|Indonesia dan Turki menandatangani kesepakatan pengadaan 48 pesawat tempur KAAN dalam pameran Indo Defence, menurut pejabat Kemhan.|Turkish fighter export to Indonesia
P|t|Korea Selatan hibahkan korvet Pohang ke TNI AL|Angkatan Laut Korea Selatan menghibahkan satu kapal korvet kelas Pohang kepada TNI AL. Kapal tersebut dijadwalkan berlayar ke Surabaya bulan depan setelah awak Indonesia selesai berlatih.|Ship donation from Korea
P|t|Laporan SIPRI: Indonesia masuk sepuluh besar importir senjata Asia|Data terbaru SIPRI menunjukkan impor senjata Indonesia naik tajam dalam lima tahun terakhir, terutama dari Prancis, Korea Selatan dan Amerika Serikat.|SIPRI report on imports
P|t|Malaysia beli 18 jet FA-50 dari KAI|Malaysia resmi membeli 18 pesawat latih tempur FA-50 buatan Korea Aerospace Industries senilai sekitar 920 juta dolar AS. Pengiriman pesawat pertama dijadwalkan pada 2026. Kontrak itu juga mencakup pelatihan pilot dan dukungan logistik.|Malaysia buys Korean jets
P|t|Filipina terima baterai rudal BrahMos dari India|Militer Filipina menerima baterai rudal antikapal BrahMos pertama dari India sesuai kontrak tahun 2022.|India-Philippines missile delivery
P|t|Polisi gagalkan penyelundupan senjata api dari Filipina ke Sulawesi|Polda Sulawesi Utara menyita 30 pucuk senjata api rakitan dan ribuan butir amunisi yang diselundupkan dengan perahu dari Mindanao. Senjata itu diduga akan dijual ke kelompok bersenjata di Poso. Tiga tersangka ditangkap di Pelabuhan Bitung. Polisi masih memburu pemodal jaringan tersebut.|Cross-border arms smuggling
P|t|AS setujui penjualan F-15EX ke Indonesia|Departemen Luar Negeri AS menyetujui kemungkinan penjualan hingga 36 pesawat F-15EX beserta persenjataannya kepada Indonesia.|US approves fighter sale
P|t|Korea Utara kirim jutaan peluru artileri ke Rusia|Badan intelijen Korea Selatan menyebut Pyongyang telah mengirim jutaan peluru artileri dan rudal balistik ke Rusia untuk perang di Ukraina. Sebagai imbalannya, Rusia diduga memasok bahan bakar dan teknologi satelit. Pyongyang dan Moskow membantah tuduhan itu.|DPRK arms to Russia
P|t|Jerman setujui ekspor tank Leopard 2 ke Ukraina|Pemerintah Jerman akhirnya mengizinkan pengiriman tank Leopard 2 ke Ukraina dan memberi lampu hijau kepada negara lain untuk melakukan hal yang sama.|German tank export approval
P|t|Iran pasok drone Shahed ke Rusia, kata Gedung Putih|Gedung Putih menuduh Iran memasok ratusan drone Shahed kepada Rusia dan membantu membangun pabrik perakitannya.|Iranian drones to Russia
P|t|Thailand pilih Gripen, bukan F-16|Angkatan Udara Thailand memilih jet Gripen E/F dari Swedia untuk menggantikan armada F-16 lamanya.|Thailand buys Swedish jets
P|t|Indonesia borong 13 radar dari Thales|Kemhan menandatangani kontrak pengadaan 13 radar pertahanan udara GM403 buatan Thales, sebagian akan dirakit di dalam negeri.|Radar purchase
P|t|PBB: embargo senjata Libya terus dilanggar|Panel ahli PBB melaporkan pengiriman senjata ke Libya lewat laut dan udara masih berlangsung meski ada embargo.|Libya embargo violations
H|t|Gencatan senjata di Gaza mulai berlaku pagi ini|Gencatan senjata antara Israel dan Hamas mulai berlaku pukul 07.00 waktu setempat. Warga yang mengungsi mulai kembali ke rumah mereka. Truk bantuan kemanusiaan mulai masuk melalui perlintasan Rafah. Mediator berharap jeda ini menjadi awal perundingan yang lebih panjang.|Ceasefire, not transfer
H|t|Persib datangkan striker asing di bursa transfer|Persib Bandung resmi merekrut penyerang asal Brasil pada bursa transfer paruh musim. Pemain itu dikontrak dua tahun. Manajemen tidak mengungkap nilai transfer. Pemain tersebut sebelumnya bermain di Liga Thailand.|Football transfer
H|t|Waspada penipuan transfer dana mengatasnamakan bank|Bank mengimbau nasabah tidak mentransfer uang ke rekening yang mengaku petugas bank, menyusul maraknya laporan penipuan.|Bank transfer scam
H|t|Pindad serahkan 100 unit Maung kepada TNI AD|PT Pindad menyerahkan 100 kendaraan taktis Maung buatan dalam negeri kepada TNI Angkatan Darat di Bandung.|Domestic production for own army
H|t|Polisi selidiki penembakan di Jakarta Selatan|Seorang pria tewas ditembak orang tak dikenal di kawasan Kebayoran Baru. Polisi menemukan selongsong peluru di lokasi.|Domestic shooting
H|t|Latihan Super Garuda Shield libatkan 4.000 prajurit|Latihan militer gabungan Indonesia, Amerika Serikat dan sekutu berlangsung di Jawa Timur dan Sumatera selama dua minggu. Latihan mencakup terjun payung, operasi amfibi dan tembak senjata bersama. Pasukan dari Jepang dan Australia juga ikut serta.|Military exercise
H|t|Anggaran pertahanan 2025 naik jadi Rp165 triliun|DPR menyetujui anggaran Kementerian Pertahanan tahun depan, sebagian besar untuk belanja pegawai dan pemeliharaan alutsista.|Defence budget
H|t|Parade HUT TNI di Monas pamerkan alutsista|Ribuan warga menyaksikan parade HUT TNI di Monas yang menampilkan tank, kendaraan lapis baja dan atraksi pesawat tempur.|Military parade
H|t|Kebijakan ini bisa jadi senjata makan tuan|Pengamat menilai kenaikan pajak itu bisa menjadi senjata makan tuan bagi pemerintah karena menekan daya beli.|Idiom with senjata
H|t|Korea Utara uji coba rudal jelajah baru|Korea Utara meluncurkan beberapa rudal jelajah ke Laut Kuning, menurut militer Korea Selatan.|Missile test
N|t|Harga beras naik jelang Ramadan|Harga beras medium di pasar tradisional naik Rp1.000 per kilogram dalam sepekan. Pemerintah berencana menggelar operasi pasar di sejumlah kota. Pedagang mengeluhkan pasokan dari daerah sentra yang berkurang.|Rice prices
N|t|Banjir rendam ribuan rumah di Bekasi|Hujan deras semalaman membuat Kali Bekasi meluap dan merendam permukiman warga.|Flood
N|t|Timnas menang 2-0 atas Vietnam|Dua gol di babak kedua memastikan kemenangan Indonesia di Stadion Gelora Bung Karno.|Football match
N|t|Kereta cepat catat 5 juta penumpang|Operator kereta cepat Jakarta-Bandung mencatat lima juta penumpang sejak mulai beroperasi.|Transport
N|t|Gunung Merapi kembali luncurkan awan panas|BPPTKG mencatat awan panas guguran sejauh 1,5 km ke arah barat daya.|Volcano
N|t|Pemerintah umumkan libur nasional tambahan|Cuti bersama ditambah dua hari pada akhir tahun.|Holidays
N|t|Startup lokal raih pendanaan Seri B|Perusahaan rintisan logistik itu memperoleh dana 40 juta dolar AS dari investor regional.|Startup funding
P|e|Kapal perang bekas dari Jepang akan dihibahkan ke Indonesia|Tokyo dan Jakarta membahas hibah fregat kelas Abukuma kepada TNI AL setelah Jepang melonggarkan aturan ekspor alat pertahanan.|Japan ship transfer
P|e|Indonesia beli dua pesawat A400M dari Airbus|-|Transport aircraft purchase
P|e|Senjata selundupan untuk KKB disita di perbatasan Papua Nugini|Aparat menyita puluhan senjata laras panjang yang diselundupkan dari Papua Nugini.|Smuggling to armed group
P|e|Polandia terima howitzer K9 gelombang baru dari Korea|Pengiriman meriam swagerak K9 ke Polandia berlanjut sesuai kontrak.|Korean howitzers to Poland
H|e|Perpanjangan gencatan senjata disepakati|Kedua pihak sepakat memperpanjang jeda kemanusiaan selama dua hari.|Ceasefire extension
H|e|Bek timnas resmi transfer ke klub Belanda|Klub Eredivisie mengumumkan perekrutan bek kiri Indonesia dengan kontrak tiga tahun.|Player transfer
H|e|Pindad pamerkan senapan baru di Indo Defence|Senapan serbu SS3 itu akan dipakai oleh satuan TNI mulai tahun depan.|Domestic production
H|e|RI Kirim Bantuan Beras ke Palestina Lewat Yordania|Pesawat TNI AU mendarat di Amman membawa beras, obat-obatan dan selimut.|Aid shipment
P|t|Prabowo Kunjungi Prancis, Bahas Tambahan Jet Tempur Rafale|Menteri Pertahanan membahas kemungkinan tambahan pesanan Rafale dan kapal selam dalam pertemuan dengan pejabat Prancis di Paris.|Talks on more Rafale purchases
P|t|RI Resmi Beli 12 Drone Anka dari Turki, Ini Spesifikasinya|Kementerian Pertahanan meneken kontrak pengadaan drone Anka buatan Turkish Aerospace, tiga di antaranya akan dirakit PT Dirgantara Indonesia.|Indonesia buys Turkish drones
P|t|AS Tunda Pengiriman Bom ke Israel, Netanyahu Meradang|Pemerintah AS menahan satu pengiriman bom berbobot 900 kilogram ke Israel karena khawatir digunakan di Rafah.|US pauses bomb shipment
P|t|Korut Diduga Pasok Rudal ke Rusia, PBB Selidiki|Tim pemantau sanksi PBB memeriksa serpihan rudal di Kharkiv yang diduga buatan Korea Utara.|DPRK missiles to Russia
P|t|Jerman Setop Ekspor Senjata ke Arab Saudi|Berlin membekukan izin ekspor senjata ke Riyadh setelah kasus pembunuhan jurnalis.|German arms export freeze
H|t|Hamas dan Israel Sepakati Gencatan Senjata Tahap Kedua|Mediator Qatar dan Mesir menyebut kesepakatan mencakup pembebasan sandera dan masuknya bantuan.|Ceasefire
H|t|Warga Gaza Rayakan Gencatan Senjata di Jalan-jalan|Ribuan orang turun ke jalan setelah gencatan senjata diumumkan.|Ceasefire
H|t|Gencatan Senjata Lebanon Rapuh, Israel Kembali Serang Selatan|Serangan udara menghantam desa di Lebanon selatan meski ada kesepakatan gencatan senjata.|Ceasefire violated
H|t|Senjata Rakitan Dipakai Pelaku Begal di Bekasi, Polisi Tangkap Tiga Orang|Polisi menyita satu pucuk senjata api rakitan dari tangan pelaku.|Domestic crime with gun
H|t|Jokowi Resmikan Pabrik Amunisi Pindad di Subang|Pabrik baru ditargetkan memproduksi ratusan juta butir amunisi kaliber kecil per tahun untuk kebutuhan TNI dan Polri.|Domestic production
N|t|Harga Emas Antam Hari Ini Naik Rp5.000|Harga emas batangan di butik Antam kembali menguat.|Gold price
N|t|Jadwal Mudik Lebaran, Tol Trans Jawa Diprediksi Padat|Jasa Marga memperkirakan puncak arus mudik terjadi H-3.|Holiday traffic
H|t|Indonesia Kirim Kapal Rumah Sakit ke Gaza|TNI AL memberangkatkan KRI dr. Radjiman membawa obat-obatan, tenda dan tenaga medis untuk warga Palestina.|Humanitarian aid ship
H|t|Ekspor Indonesia ke China Naik, Batu Bara Jadi Andalan|BPS mencatat nilai ekspor nonmigas ke China naik 12 persen dibanding tahun lalu.|Trade exports
H|t|Indonesia Kirim 10 Ton Bantuan Kemanusiaan untuk Korban Gempa Turki|Pesawat Hercules TNI AU membawa selimut, makanan dan obat-obatan ke Adana.|Aid shipment
H|t|Menlu RI Desak PBB Hentikan Serangan Israel ke Rafah|Menteri Luar Negeri menyampaikan desakan itu dalam pertemuan di New York.|Diplomacy, no transfer
H|t|Impor Gandum dari Rusia Melonjak|Pengusaha tepung beralih ke gandum Rusia karena harganya lebih murah.|Wheat imports
H|t|Rudal Hamas Hantam Tel Aviv, Sirene Meraung|Sistem pertahanan udara Israel mencegat sebagian besar roket yang ditembakkan dari Gaza.|Rocket attack, no transfer
H|t|WNI Dievakuasi dari Lebanon Selatan|Kedutaan Besar RI memulangkan 40 warga negara Indonesia di tengah meningkatnya serangan.|Evacuation
P|t|Iran Diduga Kirim Rudal Balistik ke Rusia, AS Jatuhkan Sanksi|Washington menjatuhkan sanksi kepada perusahaan pelayaran Iran yang dituduh mengangkut rudal ke pelabuhan Rusia di Laut Kaspia.|Iranian missiles to Russia, sanctions
P|t|Ekspor Alutsista RI Tembus Rp5 Triliun, Panser Anoa Laris di Afrika|PT Pindad dan PT PAL mencatat kontrak ekspor kendaraan tempur dan kapal ke sejumlah negara Afrika dan Asia.|Indonesian arms exports
H|t|Iran Kirim Ratusan Drone dan Rudal ke Israel, Sebagian Besar Dicegat|Serangan langsung pertama Iran ke Israel itu melibatkan lebih dari 300 drone dan rudal yang diluncurkan dari wilayah Iran.|Attack ('kirim' = launch), not transfer
H|t|Kapal Kontainer Diserang Drone di Laut Merah|Houthi mengklaim serangan terhadap kapal yang dikaitkan dengan Israel itu.|Attack at sea
H|t|Presiden Iran Bertemu Putin, Bahas Kerja Sama Energi|Kedua pemimpin membahas proyek pipa gas dan jalur kereta Utara-Selatan.|Summit, energy
H|t|Zelensky Undang Prabowo ke Kyiv|Presiden Ukraina menyampaikan undangan melalui sambungan telepon.|Diplomacy
P|t|Korea Selatan Setujui Ekspor Meriam K9 ke Vietnam|Kontrak pertama Hanwha dengan Vietnam mencakup 20 unit meriam swagerak.|K9 export to Vietnam
"""
