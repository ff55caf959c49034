"""Turkish rows for arms-transfers seeds: KIND|SPLIT|title|text|note (see arms_build.py)."""

LANG = "tr"
ROWS = """
P|t|Baykar, Bayraktar TB2 ihracatında yeni anlaşma imzaladı|Baykar, Afrika'dan bir ülkeyle Bayraktar TB2 SİHA satışı için sözleşme imzaladı. Şirketin ihracat yaptığı ülke sayısı 30'u geçti.|TB2 export deal
P|t|Endonezya 48 KAAN savaş uçağı alıyor|Endonezya ile Türkiye arasında 48 adet milli muharip uçak KAAN'ın satışına ilişkin anlaşma Indo Defence fuarında imzalandı. Anlaşma, teknoloji transferi ve yerel üretim maddelerini de içeriyor. Bu, KAAN'ın ilk ihracat sözleşmesi oldu.|KAAN export to Indonesia
P|t|ABD Kongresi Türkiye'ye F-16 satışını onayladı|ABD Dışişleri Bakanlığı, Türkiye'ye 40 yeni F-16 ve 79 modernizasyon kiti satışına onay verdi. Satışın toplam değeri 23 milyar dolar. Onay, İsveç'in NATO üyeliğinin onaylanmasının ardından geldi.|US F-16 sale to Turkey
P|t|Türkiye, İngiltere'den 20 Eurofighter Typhoon alacak|Ankara ve Londra arasında Eurofighter alımına ilişkin niyet mektubu imzalandı; Almanya da vetosunu kaldırdı.|Turkey buys Eurofighter
P|t|Akıncı SİHA'lar Pakistan'a teslim edildi|Pakistan Hava Kuvvetleri, Türkiye'den satın aldığı Akıncı insansız hava araçlarını envanterine kattı.|Akinci delivered to Pakistan
P|t|İspanya Hürjet eğitim uçağı satın alıyor|TUSAŞ, İspanya Hava Kuvvetleri'ne Hürjet jet eğitim uçağı tedarik etmek için anlaşma imzaladı.|Hurjet export to Spain
P|t|S-400 meselesi: Ankara sistemi iade etmeyecek|Dışişleri Bakanı, Rusya'dan alınan S-400'lerin iade edilmesinin gündemde olmadığını söyledi.|S-400 purchase dispute
P|t|Kuzey Kore'nin Rusya'ya top mermisi gönderdiği iddiası|Güney Kore istihbaratı, Kuzey Kore'nin Rusya'ya milyonlarca top mermisi gönderdiğini açıkladı.|DPRK shells to Russia
P|t|İran'ın Rusya'ya İHA tedariki sürüyor|Beyaz Saray, İran'ın Rusya'ya yüzlerce Şahid tipi kamikaze İHA verdiğini belirtti.|Iranian drones to Russia
P|t|SIPRI: Türkiye'nin silah ihracatı arttı|Stockholm Uluslararası Barış Araştırmaları Enstitüsü'ne göre Türkiye'nin küresel silah ihracatındaki payı yükseldi.|SIPRI report
P|t|Almanya Ukrayna'ya Leopard tankı gönderecek|Alman hükümeti, Ukrayna'ya Leopard 2 tankları teslim edeceğini açıkladı.|German tanks to Ukraine
P|t|Gümrükte kaçak silah operasyonu|Kapıkule'de bir tırın gizli bölmesinde yurtdışından getirilmiş 200 tabanca ele geçirildi. Tır şoförü gözaltına alındı. Silahların Bulgaristan üzerinden getirildiği belirlendi.|Arms smuggling at customs
P|t|Polonya'ya Bayraktar TB2 teslimatı tamamlandı|Polonya Silahlı Kuvvetleri, sipariş ettiği TB2 sistemlerinin tamamını teslim aldı.|TB2 delivered to Poland
P|t|Türk zırhlı araçları Körfez ülkesine ihraç ediliyor|Otokar, bir Körfez ülkesiyle zırhlı araç satışı için 350 milyon dolarlık sözleşme imzaladı.|Armoured vehicle export
P|t|Azerbaycan'a Türk füze sistemleri|Roketsan, Azerbaycan'a kısa menzilli füze sistemleri teslim etti.|Missile systems to Azerbaijan
H|t|Gazze'de ateşkes yürürlüğe girdi|Ateşkesin ilk gününde esir takası gerçekleştirildi.|Ceasefire
H|t|Galatasaray'dan yıldız transfer|Sarı-kırmızılılar, Arjantinli golcüyü 20 milyon euro bonservis bedeliyle kadrosuna kattı. Oyuncu İstanbul'a gelerek sağlık kontrolünden geçti. Sözleşme üç yıllık.|Football transfer
H|t|Havale ve EFT ücretlerinde yeni düzenleme|Bankalar, mobil uygulamadan yapılan para transferlerinde komisyon almayacak.|Money transfers
H|t|Kulüp yeni armasını tanıttı|Taraftarlar, kuruluşun 100. yılında yenilenen arma tasarımını beğendi.|Club crest (arma)
H|t|İstanbul'da silahlı saldırı: iki yaralı|Bir kafede çıkan tartışmanın ardından şüpheli tabancayla ateş açtı. Yaralılar hastaneye kaldırıldı. Şüpheli kısa sürede yakalandı.|Domestic shooting
H|t|Teknofest'te yerli İHA'lar sergilendi|Milli teknoloji festivalinde yerli üretim insansız hava araçları ziyaretçilerin ilgisini çekti.|Domestic production showcase
H|t|Savunma bütçesi yüzde 30 artırıldı|Meclis, yeni yıl bütçesinde savunma ve güvenlik harcamalarını onayladı.|Defence budget
H|t|Ege'de büyük tatbikat|Deniz Kuvvetleri'nin Denizkurdu tatbikatına 80 gemi katıldı. Tatbikata müttefik ülkelerden gözlemciler de katıldı. Tatbikat on gün sürecek.|Military exercise
H|t|Tayfun füzesi test atışında hedefi vurdu|Roketsan'ın geliştirdiği füze, Sinop'taki test atışında hedefini başarıyla vurdu.|Missile test
H|t|Sabır en büyük silahımız oldu|Teknik direktör, takımın en büyük silahının sabır olduğunu söyledi.|Metaphorical weapon
N|t|Enflasyon beklentilerin altında kaldı|Yıllık enflasyon yüzde 45'e geriledi.|Inflation
N|t|İstanbul'da kar yağışı etkili oldu|Bazı seferler iptal edildi. Okullar bir gün tatil edildi. Karayolları ekipleri gece boyunca çalıştı.|Snow
N|t|Kapadokya'da balon turları yeniden başladı|Turistler sabah saatlerinde gökyüzüne yükseldi.|Tourism
N|t|Milli takım Avrupa Şampiyonası'na katıldı|Ay-yıldızlılar son maçta 2-1 kazandı.|Football
N|t|Merkez Bankası faizi sabit tuttu|Politika faizi yüzde 50'de kaldı.|Interest rates
N|t|Yeni köprü trafiğe açıldı|Köprü iki ilçe arasındaki yolu kısaltıyor.|Infrastructure
N|t|Üniversite sınavı sonuçları açıklandı|Adaylar sonuçlarını internetten öğrenebilecek.|Exams
P|e|Malezya Türk savaş gemisi satın alıyor|STM ile sözleşme imzalandı.|Warship export
P|e|Katar'a Bayraktar Akıncı ihracatı|Sözleşme Doha'daki fuarda duyuruldu.|Akinci export
P|e|Yunanistan'a F-35 satışı onaylandı|ABD, Atina'ya 20 F-35 satışını onayladı.|F-35 sale to Greece
P|e|Kırgızistan TB2 teslim aldı|İHA'lar törenle envantere girdi.|TB2 delivered
H|e|Transfer döneminde rekor harcama|-|Player transfers
H|e|Ukrayna ile Rusya arasında ateşkes görüşmesi|İstanbul'daki görüşmede esir takası konuşuldu.|Ceasefire talks
H|e|Güreşçi kolundan sakatlandı|Milli sporcu turnuvadan çekildi.|Arm injury
N|e|Fındık fiyatları açıklandı|Üreticiler fiyatı yetersiz buldu.|Hazelnut prices
H|t|Rusya'dan doğalgaz ithalatı arttı|Türkiye'nin Rus gazı alımı yüzde 15 yükseldi.|Gas imports
H|t|Türkiye'den Gazze'ye yardım gemisi|Kızılay'ın gönderdiği gemi gıda ve ilaç taşıyor.|Aid ship
H|t|Otomotiv ihracatı rekor kırdı|Sektör ilk yarıda 18 milyar dolarlık ihracat yaptı.|Car exports
P|t|Romanya'ya Türk savaş gemisi teslim edildi|İstanbul'da yapılan korvet törenle Romanya Deniz Kuvvetleri'ne teslim edildi.|Warship delivered
H|t|Zelenskiy Ankara'da tahıl koridorunu görüştü|Görüşmede Karadeniz'deki gemi trafiği ele alındı.|Diplomacy, grain corridor
P|t|Baykar Ukrayna'da fabrika kuracak|Şirket, Kiev yakınlarında İHA üretimi için anlaşma imzaladı.|Licensed production in Ukraine
"""
